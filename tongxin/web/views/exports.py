import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.people import services as people
from tongxin.web.decorators import page
from tongxin.web.forms import ExportForm
from tongxin.web.views.residents import area_choices, visible_area


@page(Perm.EXPORT_RESIDENTS)
def export_residents(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    may_unmask = has_perm(user, Perm.EXPORT_UNMASKED)
    source = request.POST if request.method == "POST" else request.GET
    area = visible_area(user, source.get("area"))
    form = ExportForm(request.POST or None)
    if request.method == "POST" and request.POST.get("unmask") and not may_unmask:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        unmask = form.cleaned_data["unmask"]
        if unmask and not may_unmask:
            raise PermissionDenied
        fmt = form.cleaned_data["fmt"]
        from tongxin.imports.services import export_residents as write_export

        # FileResponse closes the file once it has been sent.
        out = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            write_export(
                out,
                fmt=fmt,
                user=user,
                area=area,
                unmask=unmask,
                reason=form.cleaned_data["reason"],
            )
        except people.PermissionDenied as exc:
            out.close()
            raise PermissionDenied(str(exc)) from exc
        out.seek(0)
        name = _("居民_%(area)s_%(date)s.%(fmt)s") % {
            "area": area.name if area else _("全部"),
            "date": timezone.localdate().strftime("%Y%m%d"),
            "fmt": fmt,
        }
        response = FileResponse(out, as_attachment=True, filename=name)
        response["Cache-Control"] = "no-store, private"
        return response
    return render(
        request,
        "web/exports/form.html",
        {"form": form, "areas": area_choices(user, area), "area": area, "may_unmask": may_unmask},
    )
