"""Organization switching in each sample app, in a real Chromium: Dana is a member of Acme
and an admin of Globex; Bob belongs to Acme only."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .servers import AppProcess, EmulatorProcess
from .test_sample_apps import BOB, expect_sign_in_page, pick_user, sign_in_at_dashboard

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips every test, or fails it with SCALEKIT_E2E=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.e2e

DANA = "dana@acme.test"


def dashboard_value(page: Page, label: str) -> Locator:
    """The value next to ``label`` on a dashboard (a ``dl`` or a table, as each sample has)."""
    return page.locator(
        f"xpath=//*[self::dt or self::th][normalize-space()='{label}']/following-sibling::*[1]"
    ).first


def test_switching_organization_changes_the_dashboards_organization_and_roles(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    sign_in_at_dashboard(page, app, fresh_emulator, DANA)
    expect(dashboard_value(page, "Organization")).to_have_text("org_acme")
    expect(dashboard_value(page, "Roles")).to_have_text("member")
    page.goto(f"{app.url}/admin")
    expect(page.locator("body")).to_contain_text("organization:settings")  # the 403 page
    page.goto(f"{app.url}/dashboard")

    page.locator("#organizations").get_by_role("link", name="Switch to org_globex").click()
    # Another organization means another IdP: the emulator asks who signs in there.
    expect_sign_in_page(page, fresh_emulator)
    assert "organization_id=org_globex" in page.url
    pick_user(page, DANA)
    expect(page).to_have_url(f"{app.url}/dashboard")
    expect(dashboard_value(page, "Organization")).to_have_text("org_globex")
    expect(dashboard_value(page, "Roles")).to_have_text("admin")
    expect(page.locator("#organizations")).to_contain_text("org_globex (current)")
    expect(page.locator("#organizations").get_by_role("link")).to_have_text("Switch to org_acme")

    response = page.goto(f"{app.url}/admin")
    assert response is not None and response.status == 200


def test_a_crafted_switch_into_a_foreign_organization_is_refused(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    sign_in_at_dashboard(page, app, fresh_emulator, BOB)
    expect(page.locator("#organizations")).to_have_count(0)  # one organization: no switcher
    response = page.goto(f"{app.url}/auth/switch-organization?organization_id=org_globex")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text("not a member")
    assert not re.match(re.escape(fresh_emulator.url), page.url)

    page.goto(f"{app.url}/dashboard")
    expect(page).to_have_url(f"{app.url}/dashboard")
    expect(dashboard_value(page, "Organization")).to_have_text("org_acme")
    expect(dashboard_value(page, "Email")).to_have_text(BOB)
