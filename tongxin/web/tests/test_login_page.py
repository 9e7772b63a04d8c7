"""Signing in: a Chinese page by default, English on request, audited either way."""

from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent

from .conftest import PASSWORD


def test_login_page_is_chinese_by_default(client, db):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html and "密码" in html and "登录" in html
    # The language switch is on the page, posting to Django's set_language.
    assert reverse("set_language") in html and 'value="en"' in html


def test_language_switch_to_english_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html and "Password" in html and "Log in" in html
    assert "用户名" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert "用户名" in client.get(reverse("login")).content.decode()


def test_successful_login_goes_home_and_is_audited(client, world):
    response = client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=world.users["leader"]).exists()
    assert client.get(reverse("home")).status_code == 200


def test_failed_login_shows_chinese_error_and_is_audited(client, world):
    response = client.post(reverse("login"), {"username": "leader", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, target_label="leader"
    ).exists()


def test_logout_is_a_post_and_returns_to_login(login, world):
    client = login("leader")
    assert reverse("logout") in client.get(reverse("home")).content.decode()
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_every_page_carries_the_language_switch(login, world):
    client = login("command")
    for url in (reverse("home"), reverse("tree"), reverse("residents"), reverse("audit")):
        html = client.get(url, follow=True).content.decode()
        assert reverse("set_language") in html, url
