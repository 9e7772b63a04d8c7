import pytest

from tongxin.tracing.models import ExposureType, Level
from tongxin.tracing.services.derive import derive_for_case, floor_of

from .conftest import make_case


@pytest.mark.parametrize(
    ("room", "floor"),
    [
        ("1803", 18),
        ("1803室", 18),
        ("302", 3),
        ("B1201", 12),
        ("12-03", 12),
        ("5", None),
        ("", None),
    ],
)
def test_floor_is_read_from_the_room_number(room, floor):
    assert floor_of(room) == floor


def _building_levels(world, case):
    return {
        c.management.person_id: c.level
        for c in derive_for_case(case)
        if c.exposure_type == ExposureType.BUILDING
    }


def test_same_floor_and_the_floors_directly_above_and_below_are_secondary(world):
    case = make_case(world, world.one("1801"))
    levels = _building_levels(world, case)
    assert levels == {
        world.one("1802").pk: Level.SECONDARY,  # same floor
        world.one("1701").pk: Level.SECONDARY,  # one below
        world.one("1901").pk: Level.SECONDARY,  # one above
    }
    # Two floors up, the ground floor and the next building are not contacts by this rule.
    assert world.one("2001").pk not in levels
    assert world.one("101").pk not in levels
    assert world.one("b2-1801").pk not in levels


def test_floor_distances_and_rest_of_building_come_from_the_edition(world):
    edition = world.incident.policy_edition
    rule = edition.rules["tracing"]["building_rule"]
    rule.update(
        {"floors_above": 2, "floors_below": 0, "floor_level": "close", "rest_level": "general"}
    )
    edition.save()
    case = make_case(world, world.one("1801"))
    levels = _building_levels(world, case)
    assert levels[world.one("1802").pk] == Level.CLOSE
    assert levels[world.one("1901").pk] == Level.CLOSE
    assert levels[world.one("2001").pk] == Level.CLOSE
    assert levels[world.one("1701").pk] == Level.GENERAL
    assert levels[world.one("101").pk] == Level.GENERAL
