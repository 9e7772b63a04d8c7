"""In-app management for the command post and the system administrator: staff accounts
(create, disable, reset, change role or unit, grid roles, building assignments) and units
with their assignments. The rules are in accounts.staff and units.services; every list starts
from what the user may manage, anything else is a 404, and every change is audited."""

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.accounts import staff as staff_services
from tongxin.accounts.models import AccountActivation, Role, User
from tongxin.accounts.permissions import Perm
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record, record_view
from tongxin.units import services as unit_services
from tongxin.units.models import GridRoleKind, Unit, UnitKind
from tongxin.web.decorators import page


class StaffForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20)
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=gettext_lazy("所属单位"), queryset=Unit.objects.none(),
                                  required=False)  # fmt: skip

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=gettext_lazy("所属单位"), queryset=Unit.objects.none(),
                                  required=False)  # fmt: skip

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class GridRoleForm(forms.Form):
    place = forms.CharField(label=gettext_lazy("网格（地点）"), max_length=200,
                            help_text=gettext_lazy("如 芹阳办事处/东门社区/阳光小区"))  # fmt: skip
    role = forms.ChoiceField(label=gettext_lazy("网格角色"), choices=GridRoleKind.choices)


class BuildingsForm(forms.Form):
    place = forms.CharField(label=gettext_lazy("小区/自然村"), max_length=200)
    buildings = forms.CharField(label=gettext_lazy("包楼"), max_length=100,
                                help_text=gettext_lazy("如 1-6幢、1,3,5幢、7幢"))  # fmt: skip


class UnitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=UnitKind.choices)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)


class AssignmentForm(forms.Form):
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200,
                            help_text=gettext_lazy("如 芹阳办事处/东门社区/阳光小区"))  # fmt: skip
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip


def _place(user: Any, text: str) -> Any:
    from tongxin.imports.services.export import AreaNotFound, find_area

    try:
        return find_area(text, user)
    except AreaNotFound as exc:
        raise staff_services.StaffError(str(exc)) from None


def _staff_or_404(request: HttpRequest, pk: int) -> User:
    found = staff_services.managed_staff(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _new_link(user: User, how: str) -> str | None:
    """A first link for a new account: texted (None) or returned to show once."""
    from tongxin.imports.services.staff import send_activations

    printed = send_activations([user], deliver=how)
    return printed[0][1] if printed else None


def _reset(request: HttpRequest, user: User, how: str) -> str | None:
    """The password stops working; the new link is texted (None) or returned to show once."""
    from tongxin.imports.services.staff import deliver_key

    key = staff_services.reset_access(request.user, user, delivered_by=how)
    return deliver_key(user, key, deliver=how)


@page(Perm.MANAGE_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    units = staff_services.managed_units(request.user)
    people = staff_services.managed_staff(request.user).select_related("unit")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(username__icontains=query))
    if request.GET.get("unit", "").isdigit():
        people = people.filter(unit_id=int(request.GET["unit"]))
    if request.GET.get("role") in Role.values:
        people = people.filter(role=request.GET["role"])
    form = StaffForm(request.POST or None, units=units)
    shown_link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_services.create_staff(
                request.user, full_name=data["full_name"], phone=data["phone"],
                role=data["role"], unit=data["unit"],
            )  # fmt: skip
        except staff_services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            shown_link = _new_link(user, request.POST.get("deliver", "sms"))
            messages.success(request, _("已建立账号 %(u)s") % {"u": user.username})
            if not shown_link:
                return redirect("manage_staff_detail", pk=user.pk)
            return render(request, "web/manage/link.html", {"account": user, "link": shown_link})
    page_people = list(people.order_by("unit__name", "full_name")[:500])
    pending = set(
        AccountActivation.objects.filter(user__in=page_people, used_at__isnull=True)
        .values_list("user_id", flat=True)
    )  # fmt: skip
    return render(
        request,
        "web/manage/staff_list.html",
        {"form": form, "people": page_people, "units": units, "roles": Role.choices,
         "query": query, "pending": pending},
        status=400 if form.errors else 200,
    )  # fmt: skip


@page(Perm.MANAGE_STAFF)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _staff_or_404(request, pk)
    units = staff_services.managed_units(request.user)
    role_form = RoleForm(initial={"role": account.role, "unit": account.unit_id}, units=units)
    grid_form, buildings_form = GridRoleForm(), BuildingsForm()
    shown_link = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "role":
                role_form = RoleForm(request.POST, units=units)
                if role_form.is_valid():
                    staff_services.change_staff(request.user, account, **role_form.cleaned_data)
                    messages.success(request, _("已修改角色和单位"))
            elif action in {"disable", "enable"}:
                staff_services.set_active(request.user, account, action == "enable")
                messages.success(request, _("已启用") if action == "enable" else _("已停用"))
            elif action == "reset":
                shown_link = _reset(request, account, request.POST.get("deliver", "sms"))
                if not shown_link:
                    messages.success(request, _("已重置，激活链接已用短信发送"))
            elif action == "grid_role":
                grid_form = GridRoleForm(request.POST)
                if grid_form.is_valid():
                    place = _place(request.user, grid_form.cleaned_data["place"])
                    staff_services.add_grid_role(
                        request.user, account, place, grid_form.cleaned_data["role"]
                    )
                    grid_form = GridRoleForm()
            elif action == "remove_grid_role":
                staff_services.remove_grid_role(request.user, account, int(request.POST["id"]))
            elif action == "buildings":
                buildings_form = BuildingsForm(request.POST)
                if buildings_form.is_valid():
                    from tongxin.imports.services.setup import parse_buildings

                    estate = _place(request.user, buildings_form.cleaned_data["place"])
                    try:
                        keys = parse_buildings(buildings_form.cleaned_data["buildings"])
                    except ValueError:
                        raise staff_services.StaffError(
                            _("包楼无法识别，可写 1-6幢、1,3,5幢 或 7幢")
                        ) from None
                    staff_services.add_buildings(request.user, account, estate, keys)
                    buildings_form = BuildingsForm()
            elif action == "remove_building":
                staff_services.remove_building(request.user, account, int(request.POST["id"]))
        except (staff_services.NotFound, ValueError, KeyError) as exc:
            if isinstance(exc, staff_services.StaffError):
                messages.error(request, str(exc))
            else:
                raise Http404 from exc
        if shown_link:
            return render(request, "web/manage/link.html", {"account": account, "link": shown_link})
        if not (role_form.errors or grid_form.errors or buildings_form.errors):
            return redirect("manage_staff_detail", pk=account.pk)
    else:
        record_view(account)
    account.refresh_from_db()
    return render(
        request,
        "web/manage/staff_detail.html",
        {
            "account": account,
            "pending": not account.has_usable_password(),
            "role_form": role_form,
            "grid_form": grid_form,
            "buildings_form": buildings_form,
            "grid_roles": account.grid_roles.select_related("place").order_by("place__path"),
            "buildings": account.building_assignments.select_related("place").order_by(
                "place__path"
            ),
        },
    )


@require_POST
@page(Perm.MANAGE_STAFF)
def staff_links(request: HttpRequest) -> FileResponse:
    """A printable sheet of fresh activation links for the accounts not yet activated (of one
    unit, or all the user manages). Earlier links of those accounts stop working."""
    from tongxin.imports.services.staff import PRINT, send_activations, write_activation_sheet

    pending = staff_services.managed_staff(request.user).filter(is_active=True)
    if request.POST.get("unit", "").isdigit():
        pending = pending.filter(unit_id=int(request.POST["unit"]))
    accounts = [u for u in pending.select_related("unit") if not u.has_usable_password()]
    links = send_activations(accounts, deliver=PRINT)
    record(
        AuditAction.EXPORT,
        target_type="accounts.accountactivation",
        label=_("打印激活链接 ×%(n)d") % {"n": len(links)},
        detail={"accounts": [u.pk for u, _link in links]},
    )
    buffer = io.BytesIO()
    write_activation_sheet([(u, request.build_absolute_uri(link)) for u, link in links], buffer)
    buffer.seek(0)
    response = FileResponse(buffer, as_attachment=True, filename=_("激活链接.xlsx"))
    response["Cache-Control"] = "no-store, private"
    return response


@page(Perm.MANAGE_STAFF)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = unit_services.managed_units(request.user)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_services.create_unit(request.user, **form.cleaned_data)
        except unit_services.UnitError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("manage_unit", pk=unit.pk)
    rows = list(units.order_by("name"))
    return render(request, "web/manage/unit_list.html", {"form": form, "units": rows},
                  status=400 if form.errors else 200)  # fmt: skip


@page(Perm.MANAGE_STAFF)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_services.managed_units(request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    form = AssignmentForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end":
                unit_services.end_assignment(request.user, unit, int(request.POST["id"]))
                return redirect("manage_unit", pk=unit.pk)
            form = AssignmentForm(request.POST)
            if form.is_valid():
                place = _place(request.user, form.cleaned_data["place"])
                unit_services.assign_place(
                    request.user, unit, place, form.cleaned_data["starts_on"]
                )
                return redirect("manage_unit", pk=unit.pk)
        except (unit_services.UnitError, staff_services.StaffError) as exc:
            form.add_error(None, str(exc))
        except (unit_services.NotFound, ValueError, KeyError) as exc:
            raise Http404 from exc
    assignments = unit.assignments.select_related("place").order_by("-ends_on", "place__path")
    members = staff_services.managed_staff(request.user).filter(unit=unit).order_by("full_name")
    return render(
        request,
        "web/manage/unit_detail.html",
        {"unit": unit, "form": form, "assignments": assignments, "members": members},
        status=400 if form.errors else 200,
    )


class IncidentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("事件名称"), max_length=100)
    edition = forms.ChoiceField(label=gettext_lazy("执行方案"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tongxin.incidents.models import PolicyEdition

        super().__init__(*args, **kwargs)
        self.fields["edition"].choices = [  # type: ignore[attr-defined]
            (e.code, str(e)) for e in PolicyEdition.objects.all()
        ]


@page(Perm.MANAGE_INCIDENTS)
def incident_list(request: HttpRequest) -> HttpResponse:
    """Open and close incidents (closing sets the deletion date of their personal data)."""
    from tongxin.incidents.models import Incident
    from tongxin.incidents.services import IncidentError, end_incident, start_incident

    form = IncidentForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                found = Incident.objects.visible_to(request.user).filter(
                    pk=int(request.POST.get("id", "0"))
                )
                incident = found.first()
                if incident is None:
                    raise Http404
                end_incident(incident)
                messages.success(request, _("已结束响应事件“%(name)s”") % {"name": incident.name})
                return redirect("manage_incidents")
            if form.is_valid():
                start_incident(form.cleaned_data["name"], form.cleaned_data["edition"])
                return redirect("manage_incidents")
        except IncidentError as exc:
            form.add_error(None, str(exc))
        except ValueError as exc:
            raise Http404 from exc
    incidents = Incident.objects.visible_to(request.user).select_related("policy_edition")
    return render(request, "web/manage/incidents.html", {"form": form, "incidents": incidents},
                  status=400 if form.errors else 200)  # fmt: skip
