import pytest

from tongxin.core.phones import InvalidPhone, normalize_mobile


@pytest.mark.parametrize(
    "raw", ["13800138000", "+86 138 0013 8000", "138-0013-8000", "１３８００１３８０００"]
)
def test_mainland_mobile_numbers_are_normalized(raw: str) -> None:
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["12345", "0570-6012345", "2345678901234", "abc"])
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_mobile(raw)
