"""Raw ID numbers and phones never reach page HTML unless a permitted user reveals them."""

from django.urls import reverse

from tongxin.people.models import Person


def _secrets():
    secrets = []
    for person in Person.objects.all():
        secrets += [person.document_number, person.phone]
    return [s for s in secrets if s]


def _assert_clean(html, where):
    for secret in _secrets():
        assert secret not in html, where


def test_no_page_shows_a_raw_number(login, world):
    for role in ("command", "leader", "grid", "investigator"):
        client = login(role)
        urls = [reverse("home"), reverse("tree"), reverse("residents"), reverse("audit")]
        urls += [reverse("place", args=[p.pk]) for p in world.households.values()]
        urls += [
            reverse("place", args=[world.sunshine.pk]),
            reverse("place", args=[world.county.pk]),
        ]
        urls += [reverse("resident", args=[p.pk]) for p in world.people.values()]
        for url in urls:
            response = client.get(url, follow=True)
            _assert_clean(response.content.decode(), (role, url))


def test_searching_by_full_number_does_not_echo_it(login, world):
    client = login("command")
    zhang = world.people["zhang"]
    for q in (zhang.document_number, zhang.phone):
        page = client.post(reverse("residents"), {"q": q}).content.decode()
        assert reverse("resident", args=[zhang.pk]) in page
        _assert_clean(page, q)
        fragment = client.post(
            reverse("residents"), {"q": q}, headers={"HX-Request": "true", "HX-Target": "results"}
        ).content.decode()
        _assert_clean(fragment, q)


def test_masked_values_are_shown_instead(login, world):
    zhang = world.people["zhang"]
    html = login("grid").get(reverse("resident", args=[zhang.pk])).content.decode()
    assert zhang.document_masked in html and zhang.phone_masked in html
    assert zhang.document_masked != zhang.document_number


def test_audit_page_shows_masked_changes_only(login, world):
    zhang = world.people["zhang"]
    zhang.phone = "13900001111"
    zhang.save()
    html = login("command").get(reverse("audit")).content.decode()
    assert "139****1111" in html
    assert "13900001111" not in html
    _assert_clean(html, "audit")
