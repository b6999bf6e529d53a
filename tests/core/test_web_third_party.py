"""Sessions with a third-party OpenID provider whose access tokens are opaque (as OAuth
allows): the identity comes from the validated ID token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import AsyncSessionManager, SessionManager, SessionSettings

from .conftest import Browser, FakeClock
from .third_party_provider import sign_in, third_party_provider

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:oidc_provider_mock.*"),
]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with third_party_provider() as url:
        yield url


def settings() -> SessionSettings:
    return SessionSettings(secrets="s" * 32, base_url="http://127.0.0.1:5999")


def test_login_load_and_refresh_with_opaque_access_tokens(
    provider: str, browser: Browser, clock: FakeClock
) -> None:
    with ScalekitClient(provider, "any-client", "any-secret", clock=clock) as client:
        manager = SessionManager(client, settings())
        location = browser.follow(
            manager.start_login(browser.request("/auth/login?return_to=/dashboard"))
        )
        done = manager.complete_login(browser.request(sign_in(location, "ada@example.com")))
        assert browser.follow(done) == "/dashboard"
        user = manager.load(browser.request("/dashboard")).user
        assert user is not None
        assert (user.id, user.email, user.is_bearer) == (
            "ada@example.com",
            "ada@example.com",
            False,
        )
        assert user.expires_at is not None and user.expires_at > clock()
        clock.advance(3600)  # the access token is now expired: refreshed on the next request
        result = manager.load(browser.request("/dashboard"))
        assert result.user is not None and result.user.id == "ada@example.com"
        assert result.user.expires_at is not None and result.user.expires_at > clock()
        assert result.cookies  # the refreshed session is written back


@pytest.mark.anyio
async def test_async_login_with_opaque_access_tokens(provider: str, browser: Browser) -> None:
    async with AsyncScalekitClient(provider, "any-client", "any-secret") as client:
        manager = AsyncSessionManager(client, settings())
        location = browser.follow(await manager.start_login(browser.request("/auth/login")))
        browser.follow(
            await manager.complete_login(browser.request(sign_in(location, "grace@example.com")))
        )
        user = (await manager.load(browser.request("/"))).user
        assert user is not None and user.id == "grace@example.com"
