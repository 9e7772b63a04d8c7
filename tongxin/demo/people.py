"""Fake residents for the demo: plausible families with valid ID numbers and mobile numbers.

Deterministic: every household draws from its own generator, seeded by the demo seed and the
household's address, so the same household always gets the same family (whatever the scale)
and a re-run produces identical rows, which the importer then finds unchanged.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from tongxin.core.idnumbers import check_char

SEED = 20220306
# The demo's "today": ages are computed against the report's date, not the machine's clock.
REFERENCE_DATE = dt.date(2022, 3, 6)

LOCAL_REGION = "330899"
# Where people registered elsewhere (tenants, spouses) come from: neighbouring counties.
OTHER_REGIONS = ("330802", "330803", "330822", "330881", "361102", "361181", "341003")
# Mobile prefixes of the three carriers, all valid for `phonenumbers`.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "199",
)  # fmt: skip

# Residence statuses as they are written in a county's spreadsheet.
RESIDENT = "常住"
REGISTERED_ABSENT = "登记未常住"
AWAY = "外出"
TEMPORARY = "暂住"


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


class IdNumbers:
    """Hands out valid, unique resident ID numbers (GB 11643: region, birth date, sequence
    whose last digit is odd for men, check character)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, rng: random.Random, region: str, birth: dt.date, male: bool) -> str:
        sequence = rng.randrange(500) * 2 + (1 if male else 0)
        for _attempt in range(500):
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            if first17 not in self._used:
                self._used.add(first17)
                return first17 + check_char(first17)
            # Same region, day and sex already taken: the next sequence number of that sex.
            sequence = (sequence + 2) % 1000
        raise RuntimeError("no free ID number left for this day")  # not in a county's lifetime


@dataclass
class Member:
    name: str
    id_number: str
    phone: str
    status: str


def _birth(rng: random.Random, year_from: int, year_to: int) -> dt.date:
    year = rng.randint(year_from, min(year_to, REFERENCE_DATE.year - 1))
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


class FamilyMaker:
    """Makes the people registered at one household."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.faker = Faker("zh_CN")
        self.ids = IdNumbers()

    def rng_for(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{key}")

    def _given(self, male: bool) -> str:
        return self.faker.first_name_male() if male else self.faker.first_name_female()

    def _person(
        self,
        rng: random.Random,
        surname: str,
        male: bool,
        birth: dt.date,
        region: str,
        status: str,
    ) -> Member:
        age = (REFERENCE_DATE - birth).days // 365
        # Children under 14 rarely have their own number; a few elderly people have none.
        has_phone = age >= 14 and rng.random() < (0.6 if age >= 75 else 0.95)
        return Member(
            name=surname + self._given(male),
            id_number=self.ids.make(rng, region, birth, male),
            phone=mobile_number(rng) if has_phone else "",
            status=status,
        )

    def family(self, rng: random.Random, *, occupied: bool, rural: bool = False) -> list[Member]:
        """A household: a couple or a single adult, maybe children, maybe a grandparent.

        `occupied` households are lived in (常住, or 暂住 for tenants registered elsewhere);
        the others are registered there only (登记未常住), with some members away (外出).
        """
        self.faker.seed_instance(rng.randrange(2**32))
        tenant = occupied and not rural and rng.random() < 0.1
        region = rng.choice(OTHER_REGIONS) if tenant else LOCAL_REGION
        if tenant:
            base_status = TEMPORARY
        elif occupied:
            base_status = RESIDENT
        else:
            base_status = REGISTERED_ABSENT

        def status() -> str:
            # Rural households send many of their working-age members away for work.
            away_share = 0.3 if rural else (0.06 if occupied else 0.2)
            if base_status != TEMPORARY and rng.random() < away_share:
                return AWAY
            return base_status

        head_male = rng.random() < 0.7
        head_birth = _birth(rng, 1945, 1997)
        surname = self.faker.last_name()
        members = [self._person(rng, surname, head_male, head_birth, region, status())]
        size = rng.choices((1, 2, 3, 4, 5, 6), weights=(12, 20, 27, 24, 12, 5))[0]
        if size >= 2:
            spouse_year = head_birth.year + rng.randint(-4, 4)
            spouse_region = region if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)
            members.append(
                self._person(
                    rng,
                    self.faker.last_name(),
                    not head_male,
                    _birth(rng, spouse_year, spouse_year),
                    spouse_region,
                    status(),
                )
            )
        father_surname = surname if head_male else self.faker.last_name()
        for _child in range(max(0, size - 2 - (1 if size >= 5 else 0))):
            year_from = head_birth.year + 22
            members.append(
                self._person(
                    rng,
                    father_surname,
                    rng.random() < 0.52,
                    _birth(rng, year_from, year_from + 16),
                    region,
                    status(),
                )
            )
        if size >= 5:
            # A grandparent living with the family.
            year = head_birth.year - rng.randint(24, 32)
            members.append(
                self._person(
                    rng,
                    surname,
                    rng.random() < 0.4,
                    _birth(rng, max(year, 1925), max(year, 1925)),
                    region,
                    status(),
                )
            )
        return members


def households_with_people(
    maker: FamilyMaker,
    households: Iterator[tuple[str, float, bool]],
    scale: float,
) -> Iterator[tuple[str, list[Member]]]:
    """(address, members) for each (address, occupied share, rural) household the scale keeps.

    The draws deciding whether a household is kept and whether it is lived in come first
    from the household's own generator, so they do not depend on the scale."""
    for address, occupied_share, rural in households:
        rng = maker.rng_for(address)
        keep = rng.random() < scale
        occupied = rng.random() < occupied_share
        if keep:
            yield address, maker.family(rng, occupied=occupied, rural=rural)
