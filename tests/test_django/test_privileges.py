"""Django's is_staff / is_superuser from Scalekit: off by default, per named organization."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client

from scalekit_django.checks import check_settings
from scalekit_django.models import ScalekitIdentity
from scalekit_emulator import EmulatorHandle

from .conftest import HTML, asign_in, sign_in

pytestmark = pytest.mark.django_db

ACME_ADMINS = {"org_acme": "admin"}


def flags(username: str) -> tuple[bool, bool]:
    user = get_user_model().objects.get(username=username)
    return user.is_staff, user.is_superuser


def reaches_django_admin(client: Client) -> bool:
    page = client.get("/django-admin/", **HTML)
    assert page.status_code in (200, 302), page
    if page.status_code == 302:
        assert page["Location"].startswith("/django-admin/login/")
    return page.status_code == 200


def test_the_admin_of_any_customer_organization_is_not_staff_by_default(
    scalekit: EmulatorHandle,
) -> None:
    # carol is an "admin" of Globex, a customer organization: that grants nothing app-wide.
    carol = Client()
    sign_in(carol, scalekit, email="carol@globex.test")
    assert not reaches_django_admin(carol)
    alice = Client()
    sign_in(alice, scalekit)
    assert not reaches_django_admin(alice)
    assert flags("usr_carol") == flags("usr_alice") == (False, False)


def test_staff_organizations_make_only_that_organizations_admins_staff(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    alice, bob, carol = Client(), Client(), Client()
    sign_in(alice, scalekit)
    sign_in(bob, scalekit, email="bob@acme.test")
    sign_in(carol, scalekit, email="carol@globex.test")
    assert reaches_django_admin(alice)
    assert not reaches_django_admin(bob)  # a member of Acme, not an admin
    assert not reaches_django_admin(carol)  # an admin, of another organization
    assert flags("usr_alice") == (True, False)  # staff, not superuser
    assert flags("usr_bob") == flags("usr_carol") == (False, False)
    # Staff without a model permission sees the admin but none of its models.
    assert alice.get("/django-admin/scalekit_django/scalekitidentity/").status_code == 403


def test_superuser_organizations_are_separate_from_staff(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = ACME_ADMINS
    sign_in(Client(), scalekit)
    assert flags("usr_alice") == (False, True)
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    alice = Client()
    sign_in(alice, scalekit)
    assert flags("usr_alice") == (True, True)
    assert alice.get("/django-admin/scalekit_django/scalekitidentity/").status_code == 200


def test_flags_are_taken_away_when_the_mapping_no_longer_matches(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = ACME_ADMINS
    alice = Client()
    sign_in(alice, scalekit)
    assert reaches_django_admin(alice) and flags("usr_alice") == (True, True)
    # The app names another organization: the next request of the same session loses both.
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {"org_globex": "admin"}
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = {}
    assert not reaches_django_admin(alice)
    assert flags("usr_alice") == (False, False)
    identity = ScalekitIdentity.objects.get(subject="usr_alice")
    assert not identity.granted_staff and not identity.granted_superuser


def test_flags_are_taken_away_when_the_role_changes(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    sign_in(Client(), scalekit)
    assert flags("usr_alice") == (True, False)
    # Alice is now only a member of Acme: her next token carries that role.
    member = scalekit.mint_access_token("alice@acme.test", roles=["member"])
    assert Client().get("/t/drf", HTTP_AUTHORIZATION=f"Bearer {member}").status_code == 200
    assert flags("usr_alice") == (False, False)
    # ... and an admin of Acme again at her next sign-in.
    sign_in(Client(), scalekit)
    assert flags("usr_alice") == (True, False)


def test_flags_the_app_granted_itself_are_left_alone(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    get_user_model().objects.filter(username="usr_bob").update(is_staff=True, is_superuser=True)
    assert reaches_django_admin(bob)  # the app's own grant, the mapping is off
    assert flags("usr_bob") == (True, True)
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {"org_acme": "member"}
    sign_in(Client(), scalekit, email="bob@acme.test")
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS  # no longer matches bob
    assert reaches_django_admin(bob)
    assert flags("usr_bob") == (True, True)


def test_flags_granted_by_the_old_role_default_are_taken_away_after_upgrade(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    carol = Client()
    sign_in(carol, scalekit, email="carol@globex.test")
    # What the former default (SCALEKIT_ADMIN_ROLE = "admin") left in the database.
    get_user_model().objects.filter(username="usr_carol").update(is_staff=True, is_superuser=True)
    migration = __import__(
        "scalekit_django.migrations.0002_granted_flags", fromlist=["mark_role_granted_flags"]
    )
    migration.mark_role_granted_flags(apps, None)
    assert not reaches_django_admin(carol)
    assert flags("usr_carol") == (False, False)


def test_upgrade_keeps_the_flags_of_apps_that_had_turned_the_role_off(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_ADMIN_ROLE = None
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    get_user_model().objects.filter(username="usr_bob").update(is_staff=True)
    migration = __import__(
        "scalekit_django.migrations.0002_granted_flags", fromlist=["mark_role_granted_flags"]
    )
    migration.mark_role_granted_flags(apps, None)
    assert reaches_django_admin(bob)


def test_without_user_creation_the_mapping_applies_per_request(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_CREATE_USERS = False
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    alice, carol = Client(), Client()
    sign_in(alice, scalekit)
    sign_in(carol, scalekit, email="carol@globex.test")
    assert reaches_django_admin(alice)
    assert not reaches_django_admin(carol)
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {}
    assert not reaches_django_admin(alice)
    assert not get_user_model().objects.exists()


def test_a_leftover_admin_role_setting_is_a_warning_naming_the_new_settings(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_ADMIN_ROLE = "admin"
    [warning] = check_settings()
    assert warning.id == "scalekit.W003" and "no longer read" in warning.msg
    assert "SCALEKIT_STAFF_ORGANIZATIONS = {'org_…': 'admin'}" in (warning.hint or "")
    assert "SCALEKIT_SUPERUSER_ORGANIZATIONS" in (warning.hint or "")
    settings.SCALEKIT_ADMIN_ROLE = None
    assert [m.id for m in check_settings()] == ["scalekit.W003"]
    # And the old setting grants nothing any more.
    settings.SCALEKIT_ADMIN_ROLE = "admin"
    sign_in(Client(), scalekit)
    assert flags("usr_alice") == (False, False)


@pytest.mark.parametrize(
    "value",
    ["org_acme", ["org_acme"], {"org_acme": ["admin"]}, {"org_acme": ""}, {3: "admin"}],
)
def test_malformed_organization_mappings_are_errors_and_grant_nothing(
    scalekit: EmulatorHandle, settings: Any, value: object
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = value
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = value
    messages = check_settings()
    assert [m.id for m in messages] == ["scalekit.E007", "scalekit.E007"]
    assert "SCALEKIT_STAFF_ORGANIZATIONS" in messages[0].msg
    assert "SCALEKIT_SUPERUSER_ORGANIZATIONS" in messages[1].msg
    alice = Client()
    sign_in(alice, scalekit)
    assert not reaches_django_admin(alice)


def test_an_organization_name_instead_of_its_id_is_a_warning(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = {"Acme Corp": "admin", "org_acme": "admin"}
    [warning] = check_settings()
    assert warning.id == "scalekit.W004" and "'Acme Corp'" in warning.msg


def test_the_sample_grants_its_django_admin_to_acme_admins_only(
    scalekit: EmulatorHandle, settings: Any, tmp_path: Any
) -> None:
    from .test_sample_app import manage, offline_env

    show = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "getattr(s, 'SCALEKIT_STAFF_ORGANIZATIONS', None), "
        "getattr(s, 'SCALEKIT_SUPERUSER_ORGANIZATIONS', None)]))"
    )
    result = manage(offline_env(tmp_path), "shell", "-v", "0", "-c", show)
    assert result.returncode == 0, result.stdout + result.stderr
    staff, superuser = json.loads(result.stdout)
    settings.SCALEKIT_STAFF_ORGANIZATIONS = staff
    settings.SCALEKIT_SUPERUSER_ORGANIZATIONS = superuser
    carol, alice = Client(), Client()
    sign_in(carol, scalekit, email="carol@globex.test")
    sign_in(alice, scalekit)
    assert not reaches_django_admin(carol)
    assert reaches_django_admin(alice)


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_async_requests_follow_the_same_mapping(
    async_scalekit: EmulatorHandle, settings: Any
) -> None:
    json_accept = {"accept": "application/json"}
    carol = AsyncClient()
    await asign_in(carol, async_scalekit, email="carol@globex.test")
    answer = await carol.get("/t/async-scoped", headers=json_accept)
    assert answer.json() == {"username": "usr_carol", "is_staff": False}
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    alice = AsyncClient()
    await asign_in(alice, async_scalekit)
    answer = await alice.get("/t/async-scoped", headers=json_accept)
    assert answer.json() == {"username": "usr_alice", "is_staff": True}
    member = async_scalekit.mint_access_token("alice@acme.test", roles=["member"])
    bearer = {"authorization": f"Bearer {member}", **json_accept}
    answer = await AsyncClient().get("/t/async-scoped", headers=bearer)
    assert answer.json() == {"username": "usr_alice", "is_staff": False}
    assert (await get_user_model().objects.aget(username="usr_alice")).is_staff is False
