"""The demo county, described as data: 同心县, a fictional county modelled on the 2022 report.

The figures come from the report (docs in /work/shared/BRIEF.md): an estate of 48 buildings
with 10,000+ registered residents of whom 4,000+ live there, handed to the county water bureau;
an estate of 5 buildings, 12 stairwells and 124 households; a unit responsible for 7 estates.
Every name of a place, unit and person is made up; 330899 is not an allocated GB/T 2260 code.
"""

from dataclasses import dataclass, field

from tongxin.accounts.models import Role
from tongxin.units.models import GridRoleKind, UnitKind

COUNTY_NAME = "同心县"
COUNTY_CODE = "330899"
# Who loaded the demo, in the audit trail.
DEMO_ACTOR_LABEL = "demo"

# Known on purpose: it is printed on start so anyone trying the demo can log in.
DEMO_PASSWORD = "tongxin-demo"  # noqa: S105

INCIDENT_NAME = "2022-03 疫情（演示）"
INCIDENT_EDITION = "np-8"
# The evening the report's county received its first directive.
INCIDENT_STARTED = "2022-03-06T21:00:00+08:00"
ASSIGNED_FROM = "2022-03-06"
# The evening of day 3 (the report's "至3月9日晚上"): the zones' and the help platform's
# history is placed up to it, so the daily reports 第1–3期 (截至3月7日/8日/9日24时) carry it.
# What the live pages show as "now" is placed relative to the moment the demo is loaded.
HISTORY_END = "2022-03-09T23:00:00+08:00"


@dataclass(frozen=True)
class Building:
    number: int
    stairwells: int  # 0: the building has no stairwells (rural groups, small blocks)
    floors: int
    rooms_per_floor: int
    # Per stairwell, when they differ: floors of each stairwell, overriding `floors`.
    stairwell_floors: tuple[int, ...] = ()


@dataclass(frozen=True)
class Estate:
    name: str
    buildings: tuple[Building, ...]
    # Share of households somebody actually lives in (the rest are registered only).
    occupied: float = 0.85
    latitude: str = ""
    longitude: str = ""
    rural: bool = False  # a natural village: groups (组) of numbered houses (号)


@dataclass(frozen=True)
class Community:
    name: str
    code: str
    estates: tuple[Estate, ...]


@dataclass(frozen=True)
class Township:
    name: str
    code: str
    communities: tuple[Community, ...]
    latitude: str = ""
    longitude: str = ""


def _blocks(first: int, count: int, stairwells: int, floors: int, rooms: int = 2) -> tuple:
    return tuple(Building(n, stairwells, floors, rooms) for n in range(first, first + count))


def _village(name: str, groups: int, houses: int, lat: str, lng: str) -> Estate:
    return Estate(
        name,
        tuple(Building(g, 0, 1, houses) for g in range(1, groups + 1)),
        occupied=0.9,
        latitude=lat,
        longitude=lng,
        rural=True,
    )


# 城东嘉苑: 24 six-floor walk-ups (2 stairwells) and 24 eighteen-floor towers (3 stairwells),
# 3,168 households; about 3.2 registered people per household gives 10,000+, and 44% of
# households being lived in gives about the report's 4,000+ who actually live there.
BIG_ESTATE = Estate(
    "城东嘉苑",
    _blocks(1, 24, 2, 6) + _blocks(25, 24, 3, 18),
    occupied=0.44,
    latitude="29.137800",
    longitude="118.421500",
)

# 锦绣花园: 5 buildings, 3+3+2+2+2 = 12 stairwells; two stairwells of six floors and ten of
# five, two households a floor: 2×12 + 10×10 = 124 households.
SMALL_ESTATE = Estate(
    "锦绣花园",
    (
        Building(1, 3, 5, 2, stairwell_floors=(6, 6, 5)),
        Building(2, 3, 5, 2),
        Building(3, 2, 5, 2),
        Building(4, 2, 5, 2),
        Building(5, 2, 5, 2),
    ),
    latitude="29.133100",
    longitude="118.410900",
)

FORESTRY_ESTATES = (
    Estate("澜苑国际", _blocks(1, 6, 2, 11), latitude="29.131500", longitude="118.407200"),
    Estate("翠竹苑", _blocks(1, 4, 2, 6), latitude="29.140200", longitude="118.412300"),
    Estate("金溪小区", _blocks(1, 3, 2, 6), latitude="29.142700", longitude="118.409800"),
    Estate("桂花园", _blocks(1, 4, 2, 6), latitude="29.139400", longitude="118.405600"),
    Estate("丰收新村", _blocks(1, 3, 1, 5), latitude="29.127900", longitude="118.413400"),
    Estate("滨江公寓", _blocks(1, 2, 2, 11), latitude="29.129300", longitude="118.418800"),
    Estate("溪园小区", _blocks(1, 3, 2, 6), latitude="29.135600", longitude="118.402100"),
)

COUNTY_TOWN = Township(
    "城关街道",
    COUNTY_CODE + "001000",
    (
        Community("东城社区", COUNTY_CODE + "001001", (BIG_ESTATE,)),
        Community(
            "锦江社区",
            COUNTY_CODE + "001002",
            (
                SMALL_ESTATE,
                FORESTRY_ESTATES[0],
                Estate(
                    "春晖小区", _blocks(1, 4, 2, 6), latitude="29.134400", longitude="118.409100"
                ),
            ),
        ),
        Community("溪东社区", COUNTY_CODE + "001003", FORESTRY_ESTATES[1:4]),
        Community(
            "西门社区",
            COUNTY_CODE + "001004",
            (
                *FORESTRY_ESTATES[4:],
                Estate("书香苑", _blocks(1, 3, 2, 6), latitude="29.136900", longitude="118.399800"),
                Estate(
                    "学府花园", _blocks(1, 4, 2, 6), latitude="29.138800", longitude="118.397400"
                ),
            ),
        ),
    ),
    latitude="29.136000",
    longitude="118.410000",
)

# Rural: administrative village (村) → natural village (自然村) → group (组) → house (号).
RURAL_TOWNSHIP = Township(
    "南山镇",
    COUNTY_CODE + "101000",
    (
        Community(
            "南山村",
            COUNTY_CODE + "101201",
            (
                _village("上坞", 3, 15, "29.052100", "118.352300"),
                _village("下坞", 3, 14, "29.047600", "118.356900"),
            ),
        ),
        Community(
            "溪口村",
            COUNTY_CODE + "101202",
            (
                _village("溪口", 4, 16, "29.061200", "118.371000"),
                _village("枫树湾", 2, 12, "29.066800", "118.376500"),
            ),
        ),
        Community(
            "高田村",
            COUNTY_CODE + "101203",
            (
                _village("高田", 3, 15, "29.039900", "118.338700"),
                _village("里坑", 2, 11, "29.034400", "118.331200"),
            ),
        ),
    ),
    latitude="29.050000",
    longitude="118.355000",
)

TOWNSHIPS = (COUNTY_TOWN, RURAL_TOWNSHIP)


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str
    # Short code for the usernames of its cadres (slj01, slj02 …).
    code: str
    # Place names (estates, or a township) the unit is responsible for (网格包干).
    places: tuple[str, ...] = ()
    cadres: int = 0


UNITS = (
    UnitSpec("县疫情防控指挥部", UnitKind.OTHER, "zhb"),
    UnitSpec("县水利局", UnitKind.BUREAU, "slj", (BIG_ESTATE.name,), cadres=10),
    UnitSpec("县营商办", UnitKind.BUREAU, "ysb", (SMALL_ESTATE.name, "春晖小区"), cadres=7),
    UnitSpec("县林业局", UnitKind.BUREAU, "lyj", tuple(e.name for e in FORESTRY_ESTATES), cadres=8),
    UnitSpec("县教育局", UnitKind.BUREAU, "jyj", ("书香苑", "学府花园"), cadres=3),
    UnitSpec("南山镇人民政府", UnitKind.TOWNSHIP, "nsz", (RURAL_TOWNSHIP.name,), cadres=4),
    # Sampling staff work the county town's test points.
    UnitSpec("县人民医院采样队", UnitKind.MEDICAL, "cyd", (COUNTY_TOWN.name,)),
    UnitSpec("县疾控中心流调组", UnitKind.MEDICAL, "ltz"),
    UnitSpec("县疾控中心检测实验室", UnitKind.MEDICAL, "jcs"),
    UnitSpec("县转运隔离专班", UnitKind.OTHER, "zyb"),
    UnitSpec("县战疫求助平台", UnitKind.OTHER, "qzpt"),
    UnitSpec("县物资保障组", UnitKind.SUPPORT, "wzbz"),
)


@dataclass(frozen=True)
class LoginSpec:
    """One demo login per role; the username is the role's code."""

    role: str
    unit: str
    position: str
    grid_roles: tuple[tuple[str, str], ...] = ()  # (place name, GridRoleKind)
    buildings: tuple[str, tuple[int, ...]] | None = None  # (estate, building numbers)
    superuser: bool = False


LOGINS = (
    LoginSpec(Role.COMMAND_POST, "县疫情防控指挥部", "指挥部值班长"),
    LoginSpec(
        Role.UNIT_LEADER,
        "县水利局",
        "局长",
        grid_roles=((BIG_ESTATE.name, GridRoleKind.GRID_LEADER),),
    ),
    LoginSpec(
        Role.GRID_STAFF,
        "县水利局",
        "干部",
        grid_roles=((BIG_ESTATE.name, GridRoleKind.FULL_TIME),),
        buildings=(BIG_ESTATE.name, tuple(range(1, 7))),
    ),
    LoginSpec(Role.TEST_POINT, "县人民医院采样队", "采样员"),
    LoginSpec(Role.LAB_LIAISON, "县疾控中心检测实验室", "联络员"),
    LoginSpec(Role.INVESTIGATOR, "县疾控中心流调组", "流调员"),
    LoginSpec(Role.TRANSFER, "县转运隔离专班", "转运组组员"),
    LoginSpec(Role.HELPDESK, "县战疫求助平台", "平台值守人员"),
    LoginSpec(Role.SUPPORT_TEAM, "县物资保障组", "物资保障组组员"),
    LoginSpec(Role.SYSADMIN, "县疫情防控指挥部", "系统管理员", superuser=True),
    LoginSpec(Role.MEMBER, "县人民医院采样队", "驰援采样队员"),
)


@dataclass(frozen=True)
class CadreDuty:
    """What a unit's non-login cadres do, by their number within the unit (1-based)."""

    grid_roles: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # cadre number → (estate, building numbers) for 分片包楼
    buildings: dict[int, tuple[str, tuple[int, ...]]] = field(default_factory=dict)


def _forestry_duties() -> CadreDuty:
    roles: dict[int, tuple[tuple[str, str], ...]] = {
        i + 1: ((estate.name, GridRoleKind.GRID_LEADER),)
        for i, estate in enumerate(FORESTRY_ESTATES)
    }
    roles[8] = tuple((estate.name, GridRoleKind.INSTRUCTOR) for estate in FORESTRY_ESTATES)
    return CadreDuty(grid_roles=roles)


# The water bureau's party members split the 48 buildings six at a time (the grid_staff
# login has 1–6); others are part-time grid staff and the grid's instructor.
CADRE_DUTIES = {
    "县水利局": CadreDuty(
        grid_roles={
            8: ((BIG_ESTATE.name, GridRoleKind.PART_TIME),),
            9: ((BIG_ESTATE.name, GridRoleKind.PART_TIME),),
            10: ((BIG_ESTATE.name, GridRoleKind.INSTRUCTOR),),
        },
        buildings={n: (BIG_ESTATE.name, tuple(range(6 * n + 1, 6 * n + 7))) for n in range(1, 8)},
    ),
    "县营商办": CadreDuty(
        grid_roles={
            1: ((SMALL_ESTATE.name, GridRoleKind.GRID_LEADER),),
            7: (("春晖小区", GridRoleKind.GRID_LEADER),),
        },
        buildings={n + 1: (SMALL_ESTATE.name, (n,)) for n in range(1, 6)},
    ),
    "县林业局": _forestry_duties(),
    "县教育局": CadreDuty(
        grid_roles={
            1: (("书香苑", GridRoleKind.GRID_LEADER),),
            2: (("学府花园", GridRoleKind.GRID_LEADER),),
            3: (("书香苑", GridRoleKind.INSTRUCTOR), ("学府花园", GridRoleKind.INSTRUCTOR)),
        }
    ),
    "南山镇人民政府": CadreDuty(
        grid_roles={
            1: (("南山村", GridRoleKind.GRID_LEADER),),
            2: (("溪口村", GridRoleKind.GRID_LEADER),),
            3: (("高田村", GridRoleKind.GRID_LEADER),),
            4: tuple((c.name, GridRoleKind.INSTRUCTOR) for c in RURAL_TOWNSHIP.communities),
        }
    ),
}


def cadre_username(unit: UnitSpec, number: int) -> str:
    return f"{unit.code}{number:02d}"


def demo_usernames() -> set[str]:
    names = {str(login.role) for login in LOGINS}
    for unit in UNITS:
        names.update(cadre_username(unit, n) for n in range(1, unit.cadres + 1))
    return names
