"""Zone kinds as the policy edition in force describes them (`rules.zone_kinds`).

Nothing here knows 封控区 or 高风险区: names, ranks and rules are data. A designation made under
one edition is read under the edition now in force by its code, or failing that by its rank
(a 第八版 "sealed" designation reads as 第九版 "high" after a switch: both are rank 3).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Fill colours by restrictiveness, most restrictive first, when the edition names none
# (an edition may give a kind a "color").
PALETTE = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a")
NO_ZONE_COLOUR = "#e0e0e0"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

TESTING_MODES = {
    "single_or_household": _("单管单检或一户一管"),
    "single": _("单管单检"),
    "household": _("一户一管"),
    "pool_10": _("10合1混采"),
    "pool_20": _("20合1混采"),
}


@dataclass(frozen=True)
class ZoneKind:
    code: str
    name: str
    rank: int
    colour: str
    leave_home: bool | None = None
    leave_zone: bool | None = None
    door_to_door: bool | None = None
    testing_mode: str = ""
    testing_every_days: int | None = None
    rules: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def testing_label(self) -> str:
        return str(TESTING_MODES.get(self.testing_mode, self.testing_mode))


def _colour(given: Any, index: int) -> str:
    # Only a plain #rrggbb from the data reaches a style attribute.
    if isinstance(given, str) and _COLOUR.fullmatch(given):
        return given
    return PALETTE[min(index, len(PALETTE) - 1)]


def zone_kinds(edition: Any) -> list[ZoneKind]:
    """The edition's zone kinds, most restrictive first."""
    raw = edition.rule("zone_kinds", default=[]) if edition is not None else []
    items = sorted(raw, key=lambda k: -int(k.get("rank", 0)))
    kinds = []
    for index, item in enumerate(items):
        testing = item.get("testing") or {}
        kinds.append(
            ZoneKind(
                code=item["code"],
                # Shown in the reader's language when the catalogue has the name.
                name=gettext(item.get("name", item["code"])),
                rank=int(item.get("rank", 0)),
                colour=_colour(item.get("color"), index),
                leave_home=item.get("leave_home"),
                leave_zone=item.get("leave_zone"),
                door_to_door=item.get("door_to_door"),
                testing_mode=testing.get("mode", ""),
                testing_every_days=testing.get("every_days"),
                rules=item,
            )
        )
    return kinds


def kind_by_code(edition: Any, code: str) -> ZoneKind | None:
    return next((k for k in zone_kinds(edition) if k.code == code), None)


def resolve(edition: Any, code: str, rank: int, name: str = "") -> ZoneKind:
    """How the edition now in force reads a designation made as (code, rank, name)."""
    kinds = zone_kinds(edition)
    found = next((k for k in kinds if k.code == code), None)
    if found is None:
        found = next((k for k in kinds if k.rank == rank), None)
    if found is not None:
        return found
    # The edition has no counterpart: show the designation as it was recorded.
    return ZoneKind(code=code, name=name or code, rank=rank, colour=PALETTE[0])


def next_lower(edition: Any, kind: ZoneKind) -> ZoneKind | None:
    """The kind a zone is downgraded to; None when it is the lowest (it is lifted instead)."""
    lower = [k for k in zone_kinds(edition) if k.rank < kind.rank]
    return lower[0] if lower else None


def lifting_rule(edition: Any) -> tuple[int, int] | None:
    """(days without a new case, all-negative round within days), or None if the edition has
    no lifting rule (then nothing is proposed)."""
    days = edition.rule("zone_lifting", "days_without_new_case") if edition else None
    window = edition.rule("zone_lifting", "negative_round_within_days") if edition else None
    if days is None or window is None:
        return None
    return int(days), int(window)


def rule_lines(kind: ZoneKind) -> list[str]:
    """The kind's rules as short sentences, for pages and messages."""
    lines = []
    if kind.leave_home is False:
        lines.append(str(_("足不出户")))
    elif kind.leave_zone is False:
        lines.append(str(_("可以出户，不得出区")))
    elif kind.leave_zone:
        lines.append(str(_("可以出区")))
    if kind.door_to_door:
        lines.append(str(_("上门服务（送物资、上门采样）")))
    if kind.testing_mode:
        if kind.testing_every_days:
            lines.append(
                str(_("核酸检测：%(mode)s，每%(days)s天一次"))
                % {"mode": kind.testing_label, "days": kind.testing_every_days}
            )
        else:
            lines.append(str(_("核酸检测：%(mode)s")) % {"mode": kind.testing_label})
    return lines


def rules_summary(kind: ZoneKind) -> str:
    return "；".join(rule_lines(kind))


def ink_for(colour: str) -> str:
    """Black or white text, whichever reads better on the colour (#rrggbb)."""
    try:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000000"
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"
