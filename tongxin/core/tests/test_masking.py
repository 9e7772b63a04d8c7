from tongxin.core.masking import mask_document, mask_phone


def test_resident_id_keeps_region_and_last_four() -> None:
    assert mask_document("330824199001011234") == "330824********1234"


def test_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone("13800138000") == "138****8000"


def test_short_document_hides_all_but_last_four() -> None:
    assert mask_document("E1234567") == "****4567"
