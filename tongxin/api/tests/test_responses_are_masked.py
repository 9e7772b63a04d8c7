"""Raw ID numbers and phones never leave through the API unless revealed; the schemas have no
field that could carry them, and no birth date to rebuild a masked ID number with."""

import json

from django.test import Client

from tongxin.api.tests.conftest import INSIDE_ID, INSIDE_PHONE, RAW_VALUES, County

FORBIDDEN_FIELDS = {"document_number", "phone", "birth_date", "document_bidx", "phone_bidx"}


def assert_no_raw_values(body: str) -> None:
    for raw in RAW_VALUES:
        assert raw not in body


def test_lists_search_and_detail_carry_masked_values_only(
    county: County, command_api: Client
) -> None:
    responses = [
        command_api.get("/api/v1/residents/"),
        command_api.get("/api/v1/residents/", {"q": INSIDE_ID}),
        command_api.get("/api/v1/residents/", {"q": INSIDE_PHONE}),
        command_api.get("/api/v1/residents/", {"area": county.inside_estate.pk}),
        command_api.get(f"/api/v1/residents/{county.inside.pk}"),
        command_api.get(f"/api/v1/residents/{county.outside.pk}"),
        command_api.get("/api/v1/places/"),
        command_api.get(f"/api/v1/places/{county.inside_home.pk}"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert_no_raw_values(response.content.decode())

    detail = command_api.get(f"/api/v1/residents/{county.inside.pk}").json()
    assert detail["document_masked"] == county.inside.document_masked
    assert detail["document_masked"].startswith("330824") and "*" in detail["document_masked"]
    assert detail["phone_masked"] == "138****5678"
    assert not FORBIDDEN_FIELDS & set(detail)
    assert detail["age"] is not None and detail["sex"] == "M"


def test_no_response_schema_has_a_plaintext_field(county: County) -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    for name, component in schema["components"]["schemas"].items():
        if name == "RevealIn":  # names the field to reveal; carries no value
            continue
        assert not FORBIDDEN_FIELDS & set(component.get("properties", {})), name


def test_an_import_preview_is_masked_whatever_was_stored(
    county: County, command_api: Client
) -> None:
    from tongxin.imports.models import ImportJob, ImportStatus

    job = ImportJob.objects.create(
        original_name="住户.xlsx",
        file="imports/x.xlsx",
        created_by=county.command_post,
        status=ImportStatus.VALIDATED,
        preview={
            "rows": [{"姓名": "张三", "证件号码": INSIDE_ID, "手机号": INSIDE_PHONE}],
            "problems": [
                {"row": 3, "level": "rejected", "code": "conflict",
                 "message": f"证件号码 {INSIDE_ID} 与第2行冲突（{INSIDE_PHONE}）",
                 "values": {"身份证号": INSIDE_ID, "联系电话": INSIDE_PHONE}},
            ],
            "summary": {"rows": 2, "rejected": 1},
        },
    )  # fmt: skip

    response = command_api.get(f"/api/v1/imports/{job.pk}")

    assert response.status_code == 200
    body = response.content.decode()
    assert_no_raw_values(body)
    preview = response.json()["preview"]
    assert preview["rows"][0]["手机号"] == "138****5678"
    assert preview["rows"][0]["证件号码"] == county.inside.document_masked
    assert preview["summary"] == {"rows": 2, "rejected": 1}
    assert "第2行" in json.dumps(preview, ensure_ascii=False)
