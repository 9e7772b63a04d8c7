"""The sampling mode of a household in a round: the place's override, else the policy edition.

Pool sizes are data (`rules.pool_sizes` of the incident's edition), looked up by the effective
zone of the household. Nothing here knows that a sealed zone takes single tubes.
"""

import datetime as dt
from collections.abc import Iterable

from tongxin.incidents.models import PolicyEdition
from tongxin.places.models import Place
from tongxin.testing.models import POOL_SIZES, RoundArea, SamplingMode, TestRound
from tongxin.zones.services import InForce, ZoneInfo, effective_zones

# Which `pool_sizes` key a zone kind falls back to, by its rank, when the edition has no key
# named after the kind's own code (第九版 calls its zones high/medium/low but keeps the
# sealed/controlled keys). Rank 3 is the most restrictive kind in both bundled editions.
RANK_KEYS = {3: "sealed", 2: "controlled", 1: "prevention"}
OTHER_KEY = "other"
# Not reachable yet: the place tree has no isolation-site kind. When it gets one, a household
# under such a place takes `pool_sizes.isolation_site`.
ISOLATION_SITE_KEY = "isolation_site"
# What an edition without pool sizes gets: the national guide's 20-in-1 outside zones.
FALLBACK_SIZE = 20

ModeAndSize = tuple[str, int]


def mode_for_size(size: int) -> str:
    """The mode code that samples `size` people per tube (0 = one tube per household)."""
    if size <= 0:
        return SamplingMode.HOUSEHOLD
    for mode, nominal in POOL_SIZES.items():
        if nominal == size and mode != SamplingMode.POOL:
            return mode
    return SamplingMode.POOL


def _size_value(raw: object) -> int | None:
    if raw == "household":
        return 0
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    return None


def pool_size_key(zone: ZoneInfo | None, sizes: dict[str, object]) -> str:
    """The `pool_sizes` key that applies to a household in `zone` (None: no zone)."""
    if zone is None:
        return OTHER_KEY
    if zone.code in sizes:
        return zone.code
    by_rank = RANK_KEYS.get(zone.rank)
    if by_rank is not None and by_rank in sizes:
        return by_rank
    return OTHER_KEY


def edition_mode(edition: PolicyEdition | None, zone: ZoneInfo | None) -> ModeAndSize:
    """The edition's mode and pool size for a household in `zone`."""
    sizes = edition.rule("pool_sizes", default={}) if edition is not None else {}
    if not isinstance(sizes, dict):
        sizes = {}
    key = pool_size_key(zone, sizes)
    size = _size_value(sizes.get(key))
    if size is None:
        size = _size_value(sizes.get(OTHER_KEY))
    if size is None:
        size = FALLBACK_SIZE
    return mode_for_size(size), size


def override_mode(code: str) -> ModeAndSize:
    return code, POOL_SIZES[SamplingMode(code)]


def mode_overrides(round: TestRound) -> dict[str, str]:
    """{place path: override mode} for the round's areas that override (what
    `sampling_modes_for(..., overrides=…)` takes)."""
    return _overrides(round)


def _overrides(round: TestRound) -> dict[str, str]:
    """{place path: override mode} for the round's areas that override."""
    return dict(
        RoundArea.objects.filter(round=round)
        .exclude(mode_override="")
        .values_list("place__path", "mode_override")
    )


def _nearest_override(path: str, overrides: dict[str, str]) -> str | None:
    step = Place.steplen
    for end in range(len(path), 0, -step):
        found = overrides.get(path[:end])
        if found:
            return found
    return None


def sampling_modes_for(
    round: TestRound,
    places: Iterable[Place],
    at: dt.datetime | None = None,
    *,
    overrides: dict[str, str] | None = None,
    in_force: InForce | None = None,
) -> dict[int, ModeAndSize]:
    """{place id: (mode, pool size)} for many places at once (two queries whatever their number;
    none when the round's `mode_overrides` and the incident's zones `in_force_by_path` at `at`
    are given).

    For a sampling device uploading thousands of events, or a page listing every building."""
    places = list(places)
    if not places:
        return {}
    if overrides is None:
        overrides = _overrides(round)
    result: dict[int, ModeAndSize] = {}
    need_zone: list[Place] = []
    for place in places:
        code = _nearest_override(place.path, overrides)
        if code:
            result[place.pk] = override_mode(code)
        else:
            need_zone.append(place)
    if need_zone:
        edition = round.incident.policy_edition
        zones = effective_zones(need_zone, at, incident=round.incident, in_force=in_force)
        for place in need_zone:
            result[place.pk] = edition_mode(edition, zones.get(place.pk))
    return result


def sampling_mode_for(
    round: TestRound, household_place: Place, at: dt.datetime | None = None
) -> ModeAndSize:
    """(mode code from SamplingMode, pool size) for a household in a round.

    The override on the nearest area of the round at or above the place wins; otherwise the
    incident's policy edition gives the pool size for the household's effective zone (at `at`,
    now by default). Pool size 0 goes with "household": one tube for everyone in the household.
    """
    return sampling_modes_for(round, [household_place], at)[household_place.pk]
