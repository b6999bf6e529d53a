"""Django's own machinery on Scalekit users: backend, admin, mixins, checks, settings, DRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from scalekit_core.web import PermissionDenied, User
from scalekit_django.checks import check_installation, check_settings, check_urls
from scalekit_django.models import ScalekitIdentity
from scalekit_django.signals import scalekit_user_logged_in
from scalekit_django.testing import login_as
from scalekit_emulator import EmulatorHandle

from .conftest import HTML, sign_in

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
hook_calls: list[tuple[User, Any]] = []


def record_login(user: User, auth: Any) -> None:
    hook_calls.append((user, auth))


def refuse_bob(user: User, auth: Any) -> None:
    if user.email == "bob@acme.test":
        raise PermissionDenied("forbidden", "Bob may not sign in here.")


def test_django_admin_follows_the_named_organizations(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {"org_acme": "admin"}
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = {"org_acme": "admin"}
    alice = Client()
    sign_in(alice, scalekit)
    assert alice.get("/django-admin/", **HTML).status_code == 200
    assert alice.get("/django-admin/scalekit_django/scalekitidentity/").status_code == 200
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    denied = bob.get("/django-admin/", **HTML)
    assert denied.status_code == 302 and "/django-admin/login/" in denied["Location"]


def test_djangos_own_login_required_signs_in_and_returns(scalekit: EmulatorHandle) -> None:
    client = Client()
    first = client.get("/t/django-login-required?tab=2", **HTML)
    # LOGIN_URL = "login": Django's redirect, with Django's ``next`` parameter.
    assert first.status_code == 302
    assert first["Location"] == "/login?next=/t/django-login-required%3Ftab%3D2"
    done = sign_in(client, scalekit, first["Location"])
    assert done.status_code == 302 and done["Location"] == "/t/django-login-required?tab=2"
    assert client.get(done["Location"]).content == b"django:usr_alice"
    # ``return_to`` wins over ``next``, and an off-site ``next`` is refused like any other.
    both = sign_in(Client(), scalekit, "/login?return_to=/dashboard&next=/t/acme")
    assert both["Location"] == "/dashboard"
    evil = sign_in(Client(), scalekit, "/login?next=//evil.example/")
    assert evil["Location"] == "/"


def test_django_permission_mixin_and_login_required(scalekit: EmulatorHandle) -> None:
    alice, bob = Client(), Client()
    sign_in(alice, scalekit)
    sign_in(bob, scalekit, email="bob@acme.test")
    assert alice.get("/t/django-login-required").content == b"django:usr_alice"
    assert alice.get("/t/django-permission").status_code == 200
    assert bob.get("/t/django-permission").status_code == 403
    django_bob = get_user_model().objects.get(username="usr_bob")
    assert not django_bob.is_staff
    assert ScalekitIdentity.objects.filter(user=django_bob).exists()


def test_decorators_and_mixins(scalekit: EmulatorHandle) -> None:
    anonymous = Client()
    assert anonymous.get("/t/admins", **HTML).status_code == 302
    assert anonymous.get("/t/mixin", **JSON).status_code == 401
    assert anonymous.get("/t/parentheses", **JSON).status_code == 401
    bob = Client()
    login_as(bob, user_id="usr_bob", roles=["member"], organization_id="org_acme")
    assert bob.get("/t/admins", **HTML).status_code == 403
    assert bob.get("/t/acme").content == b"acme"
    assert bob.get("/t/mixin").content == b"mixin ok"
    assert bob.get("/t/parentheses").content == b"ok"
    assert bob.get("/t/async-mixin", **JSON).json()["reason"] == "missing_permission"
    carol = Client()
    login_as(carol, user_id="usr_carol", roles=["admin"], organization_id="org_globex")
    assert carol.get("/t/admins").content == b"admins"
    assert carol.get("/t/acme", **JSON).json()["reason"] == "wrong_organization"


def test_without_user_creation(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.SCALEKIT_CREATE_USERS = False
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {"org_acme": "admin"}
    client = Client()
    sign_in(client, scalekit)
    assert client.get("/t/django-login-required").content == b"django:usr_alice"
    assert client.get("/django-admin/", **HTML).status_code == 200
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    assert bob.get("/t/django-permission").status_code == 403
    assert not ScalekitIdentity.objects.exists()
    assert not get_user_model().objects.exists()


def test_after_login_hook_and_signal(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.SCALEKIT_ON_LOGIN = f"{__name__}.record_login"
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    scalekit_user_logged_in.connect(receiver)
    try:
        hook_calls.clear()
        done = sign_in(Client(), scalekit)
    finally:
        scalekit_user_logged_in.disconnect(receiver)
    assert done.status_code == 302
    [(user, auth)] = hook_calls
    assert user.id == "usr_alice" and auth.access_token
    [signal] = received
    assert signal["user"].get_username() == "usr_alice"
    assert signal["scalekit_user"].email == "alice@acme.test"
    assert signal["request"].path == "/auth/callback"


def test_after_login_hook_may_refuse(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.SCALEKIT_ON_LOGIN = refuse_bob
    refused = sign_in(Client(), scalekit, email="bob@acme.test")
    assert refused.status_code == 403 and b"Bob may not sign in here." in refused.content
    assert "scalekit_session" not in refused.cookies
    assert not ScalekitIdentity.objects.exists()


def test_branded_error_template(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.SCALEKIT_ERROR_TEMPLATE = "django_app/error.html"
    client = Client()
    login_as(client, user_id="usr_bob")
    page = client.get("/admin", **HTML)
    assert page.status_code == 403
    assert b"Back to the home page" in page.content and b"<nav>" in page.content


def test_override_settings_rebuilds_the_manager(scalekit: EmulatorHandle) -> None:
    with override_settings(SCALEKIT_COOKIE_PREFIX="other"):
        done = sign_in(Client(), scalekit)
        assert "other_session" in done.cookies and "scalekit_session" not in done.cookies
    done = sign_in(Client(), scalekit)
    assert "scalekit_session" in done.cookies


def test_system_checks_name_the_missing_settings(scalekit: EmulatorHandle) -> None:
    assert check_settings() == [] and check_installation() == []
    with override_settings(SCALEKIT_CLIENT_ID="", SCALEKIT_APP_BASE_URL=None):
        [error] = check_settings()
        assert error.id == "scalekit.E001"
        assert "SCALEKIT_CLIENT_ID" in error.msg and "SCALEKIT_APP_BASE_URL" in error.msg
        with pytest.raises(SystemCheckError, match=r"scalekit\.E001"):
            call_command("check")
    with override_settings(SCALEKIT_IDLE_TIMEOUT="soon", SCALEKIT_CREATE_USERS="yes"):
        ids = {message.id: message.msg for message in check_settings()}
        assert "SCALEKIT_IDLE_TIMEOUT" in ids["scalekit.E001"] and "scalekit.E003" in ids
    with override_settings(SCALEKIT_STAFF_ORGANIZATIONS=3, SCALEKIT_ON_LOGIN="no.such.hook"):
        assert {m.id for m in check_settings()} == {"scalekit.E007", "scalekit.E005"}
    with override_settings(MIDDLEWARE=[], AUTHENTICATION_BACKENDS=[]):
        assert {m.id for m in check_installation()} == {"scalekit.E002", "scalekit.W001"}
    with override_settings(
        MIDDLEWARE=[
            "scalekit_django.middleware.ScalekitMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ]
    ):
        assert [m.id for m in check_installation()] == ["scalekit.W002"]


def test_url_check_accepts_the_sample_and_the_default_mounts(scalekit: EmulatorHandle) -> None:
    # The sample's own layout: /login and /logout directly, /auth/callback through include().
    assert check_urls() == []
    with override_settings(SCALEKIT_LOGIN_PATH=None, SCALEKIT_LOGOUT_PATH=None):
        assert check_urls() == []  # the defaults: /auth/login, /auth/callback, /auth/logout


def test_url_check_names_each_path_that_misses_its_view(scalekit: EmulatorHandle) -> None:
    with override_settings(ROOT_URLCONF="tests.test_django.urls_elsewhere"):
        errors = {error.msg.split(" ", 1)[0]: error for error in check_urls()}
        assert set(errors) == {
            "SCALEKIT_LOGIN_PATH",
            "SCALEKIT_CALLBACK_PATH",
            "SCALEKIT_LOGOUT_PATH",
        }
        assert {error.id for error in errors.values()} == {"scalekit.E006"}
        login = errors["SCALEKIT_LOGIN_PATH"]
        assert "'/login'" in login.msg and "no URL pattern matches it" in login.msg
        assert "scalekit_django.views.login" in login.msg
        callback = errors["SCALEKIT_CALLBACK_PATH"].msg
        assert "'/auth/callback'" in callback
        assert "sample_apps.django_app.views.home" in callback
        assert "include('scalekit_django.urls')" in (login.hint or "")
        assert "set SCALEKIT_LOGIN_PATH" in (login.hint or "")
        with pytest.raises(SystemCheckError, match=r"scalekit\.E006"):
            call_command("check")
        with override_settings(
            SCALEKIT_LOGIN_PATH="/sso/login",
            SCALEKIT_CALLBACK_PATH="/sso/callback",
            SCALEKIT_LOGOUT_PATH="/sso/logout",
        ):
            assert check_urls() == []
            call_command("check")


def test_url_check_leaves_unparsable_settings_to_e001(scalekit: EmulatorHandle) -> None:
    with override_settings(SCALEKIT_CLIENT_ID="", ROOT_URLCONF="tests.test_django.urls_elsewhere"):
        assert check_urls() == []
        assert [error.id for error in check_settings()] == ["scalekit.E001"]


def test_drf_authentication(scalekit: EmulatorHandle) -> None:
    token = scalekit.mint_access_token("bob@acme.test")
    bearer = Client().get("/t/drf", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.status_code == 200
    assert bearer.json() == {"username": "usr_bob", "id": "usr_bob"}
    assert Client().get("/t/drf").json() == {"anonymous": True}
    bad = Client().get("/t/drf", HTTP_AUTHORIZATION="Bearer forged")
    assert bad.json() == {"anonymous": True}
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, scalekit)
    assert strict.get("/t/drf").json()["username"] == "usr_alice"
    refused = strict.post("/t/drf")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    posted = Client(enforce_csrf_checks=True).post("/t/drf", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert posted.status_code == 200


def test_api_endpoint_answers_401_json_even_to_a_browser_navigation(
    scalekit: EmulatorHandle,
) -> None:
    answer = Client().get("/api/me", **HTML)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/json"
    assert Client().get("/dashboard", **HTML).status_code == 302


def test_session_store_down_gives_503_and_no_view_runs(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    # A real outage: the Redis store points at a port where nothing listens.
    settings.SCALEKIT_REDIS_URL = "redis://127.0.0.1:9/0"
    from scalekit_django.conf import get_manager

    signed_id = get_manager()._ctx.sign_id("a-session-id")
    client = Client()
    client.cookies["scalekit_session"] = signed_id
    page = client.get("/dashboard", **HTML)
    api = client.get("/api/me", **JSON)
    assert page.status_code == 503 and b"temporarily unavailable" in page.content
    assert api.status_code == 503 and api.json()["error"] == "session_store_unavailable"
