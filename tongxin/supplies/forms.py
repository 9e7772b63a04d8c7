from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.helpdesk.forms import TongxinForm
from tongxin.places.models import Place, PlaceKind
from tongxin.supplies.models import Item, Warehouse


class _Scoped(TongxinForm):
    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "warehouse" in self.fields:
            self.fields["warehouse"].queryset = Warehouse.objects.visible_to(user).filter(  # type: ignore[attr-defined]
                active=True
            )


class RequestForm(_Scoped):
    warehouse = forms.ModelChoiceField(label=_("仓库"), queryset=Warehouse.objects.none())
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.all())
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=1_000_000)
    for_post = forms.CharField(label=_("申领岗位"), max_length=100)
    needed_by = forms.DateTimeField(
        label=_("需要时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ReceiveForm(_Scoped):
    warehouse = forms.ModelChoiceField(label=_("入库仓库"), queryset=Warehouse.objects.none())
    item = forms.ModelChoiceField(label=_("入库物资"), queryset=Item.objects.all())
    quantity = forms.IntegerField(label=_("入库数量"), min_value=1, max_value=10_000_000)
    batch = forms.CharField(label=_("批次"), max_length=40, required=False)
    note = forms.CharField(label=_("来源/备注"), max_length=200, required=False)


class RoundForm(TongxinForm):
    estate = forms.ModelChoiceField(label=_("封控/管控小区"), queryset=Place.objects.none())
    item = forms.ModelChoiceField(label=_("配送物资"), queryset=Item.objects.all())
    day = forms.DateField(label=_("配送日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = (  # type: ignore[attr-defined]
            Place.objects.visible_to(user).filter(kind=PlaceKind.ESTATE).order_by("path")
        )
