"""Posts (岗位) and their shifts' demand, as the command post sets them up on the pages."""

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.workforce.models import Post, Qualification, Shift, ShiftDemand
from tongxin.workforce.services import WorkforceError

POST_FIELDS = ("name", "kind", "place", "test_point", "site_name", "active")
# Letters and digits that cannot be mistaken for each other on a printed post sign.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Post.objects.filter(code=code).exists():
            return code
    raise WorkforceError(_("岗位码生成失败，请重试"))


def create_post(incident: Incident, **fields: Any) -> Post:
    """A post with a fresh code for its sign (scanned or typed at check-in)."""
    values = {k: v for k, v in fields.items() if k in POST_FIELDS}
    if not str(values.get("name", "")).strip():
        raise WorkforceError(_("请填写岗位名称"))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Post.objects.create(incident=incident, code=new_code(), **values)
        except IntegrityError:
            continue
    raise WorkforceError(_("岗位码生成失败，请重试"))


def update_post(post: Post, **fields: Any) -> Post:
    values = {k: v for k, v in fields.items() if k in POST_FIELDS}
    if "name" in values and not str(values["name"]).strip():
        raise WorkforceError(_("请填写岗位名称"))
    for key, value in values.items():
        setattr(post, key, value)
    post.save()
    return post


def set_demand(shift: Shift, demand: dict[str, int]) -> Shift:
    """The shift's demand by qualification; a qualification at 0 is not needed."""
    unknown = set(demand) - set(Qualification.values)
    if unknown:
        raise WorkforceError(_("未知资质：%(q)s") % {"q": "、".join(sorted(unknown))})
    if any(n < 0 for n in demand.values()):
        raise WorkforceError(_("需要人数不能为负数"))
    with transaction.atomic():
        ShiftDemand.objects.filter(shift=shift).exclude(
            qualification__in=[q for q, n in demand.items() if n > 0]
        ).delete()
        for q, n in demand.items():
            if n > 0:
                ShiftDemand.objects.update_or_create(
                    shift=shift, qualification=q, defaults={"count": n}
                )
    return shift


def delete_shift(shift: Shift) -> None:
    if shift.assignments.exists():
        raise WorkforceError(_("班次已有人员，请先取消排班"))
    shift.delete()
