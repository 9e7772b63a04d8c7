"""Forms for rounds, points, plans, exemptions. They only collect input; services decide."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import OVERRIDE_CHOICES, ExemptionReason, RoundPoint, TestPoint


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def place_label(place: Place) -> str:
    indent = "\u3000" * max(0, place.depth - 2)
    return f"{indent}{place.name}（{place.get_kind_display()}）"


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return place_label(obj)


class PlaceMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return place_label(obj)


AREA_KINDS = [PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE]


def _next_morning() -> dt.datetime:
    now = timezone.localtime()
    return (now + dt.timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=LocalDateTimeInput(), initial=_next_morning
    )
    deadline = forms.DateTimeField(
        label=_("完成时限"),
        widget=LocalDateTimeInput(),
        initial=lambda: _next_morning() + dt.timedelta(hours=12),
    )
    scope = PlaceMultipleChoiceField(
        label=_("检测范围"),
        queryset=Place.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("可多选；所选地点以下的全部居民均在本轮范围内"),
    )
    people_per_sampler_hour = forms.IntegerField(
        label=_("每名采样人员每小时采样人数"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("留空则用防控方案的数值（通常为 30）"),
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = places.filter(kind__in=AREA_KINDS).order_by("path")  # type: ignore[attr-defined]


class AreaForm(forms.Form):
    place = PlaceChoiceField(label=_("地点"), queryset=Place.objects.none())
    mode_override = forms.ChoiceField(
        label=_("采样方式"),
        choices=[("", _("按防控方案（随区域类型）")), *OVERRIDE_CHOICES],
        required=False,
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class PointForm(forms.Form):
    name = forms.CharField(label=_("采样点名称"), max_length=100)
    place = PlaceChoiceField(label=_("所在地点"), queryset=Place.objects.none())
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    opens_at = forms.TimeField(label=_("开放时间"), widget=TimeInput(), initial=dt.time(7))
    closes_at = forms.TimeField(label=_("关闭时间"), widget=TimeInput(), initial=dt.time(19))
    samplers = forms.IntegerField(label=_("采样人员数"), min_value=1, max_value=500, initial=6)

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places.filter(kind__in=AREA_KINDS).order_by("path")  # type: ignore[attr-defined]


class RoundPointForm(forms.Form):
    point = forms.ModelChoiceField(label=_("采样点"), queryset=TestPoint.objects.none())
    samplers = forms.IntegerField(
        label=_("本轮采样人员数"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("留空则用采样点的人数"),
    )
    serves = PlaceMultipleChoiceField(
        label=_("负责的地点"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("留空则就近安排楼栋"),
    )

    def __init__(self, *args: Any, points: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points  # type: ignore[attr-defined]
        self.fields["serves"].queryset = places  # type: ignore[attr-defined]


class MoveSlotForm(forms.Form):
    round_point = forms.ModelChoiceField(label=_("采样点"), queryset=RoundPoint.objects.none())
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=LocalDateTimeInput())

    def __init__(self, *args: Any, round_points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["round_point"]
        field.queryset = round_points  # type: ignore[attr-defined]
        field.label_from_instance = lambda rp: rp.point.name  # type: ignore[attr-defined]


class CalculatorForm(forms.Form):
    people = forms.IntegerField(label=_("应检人数"), min_value=0, max_value=10_000_000)
    hours = forms.FloatField(label=_("完成时间（小时）"), min_value=0.5, max_value=240)
    per_sampler_hour = forms.IntegerField(
        label=_("每名采样人员每小时采样人数"), min_value=1, max_value=200
    )
    samplers_per_point = forms.IntegerField(
        label=_("每个采样点的采样人员数（可选）"), min_value=1, max_value=100, required=False
    )


class ExemptionForm(forms.Form):
    reason = forms.ChoiceField(label=_("原因"), choices=ExemptionReason.choices)
    note = forms.CharField(label=_("说明"), max_length=255, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("查找居民"), max_length=50)
