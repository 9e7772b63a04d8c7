import json

from django.core.management import call_command

from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import ContactStatus, Management

from .conftest import local, make_case


def run(*args, **kwargs):
    from io import StringIO

    out = StringIO()
    call_command("tracing", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_import_checkins_json(world, tmp_path):
    VenueFactory(code="QY0001")
    zhang = world.one("1801")
    path = tmp_path / "scans.csv"
    path.write_text(
        f"场所码,证件号码,扫码时间\nQY0001,{zhang.document_number},2022-03-09 10:00\n",
        encoding="utf-8",
    )
    first = json.loads(run("import-checkins", str(path), "--json"))
    assert set(first) == {
        "rows",
        "stored",
        "duplicate",
        "unmatched",
        "rejected",
        "rejected_reasons",
    }
    assert first["stored"] == 1
    again = json.loads(run("import-checkins", str(path), "--json"))
    assert (again["stored"], again["duplicate"]) == (0, 1)


def test_copresence_json_is_masked(world):
    venue = VenueFactory(code="QY0009")
    zhang, wang = world.one("1801"), world.one("1802")
    checkin(world.incident, venue, zhang, local(9, 10), 60)
    checkin(world.incident, venue, wang, local(9, 10, 50), 60)
    out = run(
        "copresence", "--venue", "QY0009", "--from", "2022-03-09T10:00:00+08:00",
        "--to", "2022-03-09T12:00:00+08:00", "--min-minutes", "30", "--json",
    )  # fmt: skip
    data = json.loads(out)
    minutes = {p["document"]: p["overlap_minutes"] for p in data["people"]}
    assert minutes == {zhang.document_masked: 60, wang.document_masked: 60}
    assert zhang.document_number not in out and zhang.name not in out


def test_derive_confirm_and_contacts(world):
    make_case(world, world.one("1801"))
    derived = json.loads(run("derive", "1", "--json"))
    assert derived["case"] == "病例1"
    kinds = {(c["level"], c["exposure_type"]) for c in derived["candidates"]}
    assert ("close", "household") in kinds and ("secondary", "building") in kinds
    for c in derived["candidates"]:
        assert {"level", "exposure_type", "source", "reason"} <= set(c)
        assert c["source"] == "病例1"
        assert world.one("1801", 1).document_number not in json.dumps(c)
    run("confirm", "1", "--all-candidates")
    assert not Management.objects.filter(contacts__status=ContactStatus.CANDIDATE).exists()
    data = json.loads(run("contacts", "--incident", str(world.incident.pk), "--json"))
    assert data["counts"]["close"]["due"] == 2
    assert data["counts"]["secondary"]["due"] == 3
    row = data["contacts"][0]
    assert {"document", "ends_on", "level", "status"} <= set(row)
    assert "*" in row["document"]
