import pytest

from tongxin.places.labels import building_label, chinese_to_int, room_label, stairwell_label


@pytest.mark.parametrize(
    "label", ["3", "3幢", "3栋", "3号楼", "3号", " 3 幢", 3, 3.0, "三幢", "第3幢"]
)
def test_building_labels_name_the_same_building(label: object) -> None:
    assert building_label(label) == ("3", "3幢")


def test_village_group_keeps_its_name() -> None:
    assert building_label("5组") == ("5", "5组")


@pytest.mark.parametrize("label", ["1", "1单元", "一单元", 1, "第一单元"])
def test_stairwell_labels_name_the_same_stairwell(label: object) -> None:
    assert stairwell_label(label) == ("1", "1单元")


def test_room_labels() -> None:
    assert room_label("301") == ("301", "301室")
    assert room_label("301室") == ("301", "301室")
    assert room_label(301) == ("301", "301室")


@pytest.mark.parametrize(
    ("text", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105)]
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_to_int(text) == value
