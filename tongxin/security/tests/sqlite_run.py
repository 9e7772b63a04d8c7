"""A realistic run on a file-based SQLite database (WAL mode), for the on-disk PII scan.

Run as a separate process by test_no_personal_data_on_disk.py (the suite's own database lives
in memory or on PostgreSQL): it migrates a fresh data dir, loads the demo county at test scale,
then works as staff do (searches by full number, a reveal, an import with a bad row, exports,
a request for a path holding a number), copies the raw database, -wal and -shm files while
its connection is still open, and writes the decrypted values to look for. Its log output goes
to stderr through the project's own LOGGING."""

import json
import shutil
import sys
from pathlib import Path


def main(out: Path) -> None:
    import django

    django.setup()

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tongxin.accounts.models import Role, User
    from tongxin.factories import make_id_number, make_mobile
    from tongxin.helpdesk.models import HelpRequest
    from tongxin.people.models import Person
    from tongxin.places.models import Place

    call_command("migrate", verbosity=0)
    call_command("demo", "--no-serve", "--scale", "0.02", stdout=sys.stderr)
    new_id, new_phone = make_id_number(birth="19800808"), make_mobile()
    bad_id = new_id[:-1] + ("0" if new_id[-1] != "0" else "1")  # wrong check digit

    chief_user = User.objects.get(username=Role.COMMAND_POST.value)
    leader_user = User.objects.get(username=Role.UNIT_LEADER.value)
    chief, leader = Client(raise_request_exception=False), Client(raise_request_exception=False)
    chief.force_login(chief_user)
    leader.force_login(leader_user)

    person = Person.objects.visible_to(leader_user).select_related("household").first()
    assert person is not None
    leader.post("/residents/", {"q": person.document_number})
    leader.post("/api/v1/residents/search", {"q": person.phone}, content_type="application/json")
    # A number in a path: a 404, logged by Django with the path.
    leader.get(f"/residents/{person.document_number}/")
    revealed = leader.post(f"/residents/{person.pk}/reveal/phone/", {"reason": "电话通知复检"})
    assert person.phone in revealed.content.decode()

    home = person.household
    above = {p.kind: p.name for p in Place.objects.filter(home.ancestors_q())}
    where = f"{above['estate']},{above['building']},{home.name}"
    csv = (
        "姓名,证件号码,手机号,小区,楼幢,房号\n"
        f"新住户,{new_id},{new_phone},{where}\n"
        f"坏行,{bad_id},{new_phone},{where}\n"
    ).encode()
    (out / "uploaded.csv").write_bytes(csv)  # the scan's control: raw values it must find
    job = leader.post("/api/v1/imports/", {"file": SimpleUploadedFile("住户.csv", csv)}).json()
    confirmed = leader.post(f"/api/v1/imports/{job['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.content.decode()
    chief.post("/exports/residents/", {"fmt": "csv"})
    chief.get("/api/v1/exports/residents", {"format": "csv"})
    assert Person.objects.with_document("resident_id", new_id).exists()

    # The raw files while the connection is open (closing would fold the WAL into the file).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
    db = Path(settings.DATABASES["default"]["NAME"])
    snapshot = out / "open"
    snapshot.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copyfile(source, snapshot / f"db{suffix}")

    values = {new_id, new_phone, bad_id}
    for p in Person.objects.only("document_number", "phone"):
        values.update(v for v in (p.document_number, p.phone) if v)
    values.update(r.phone for r in HelpRequest.objects.all() if r.phone)
    values.update(u.phone for u in User.objects.exclude(phone="") if u.phone)
    (out / "secrets.json").write_text(json.dumps(sorted(v for v in values if len(v) >= 11)))
    (out / "paths.json").write_text(json.dumps({"db": str(db), "data": str(settings.DATA_DIR)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
