"""`EmulatorHandle`: what the `scalekit_emulator` pytest fixture yields."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

from .emulator import Emulator
from .records import Lifetimes


class SignInFailed(Exception):
    """The authorize request ended on an error page instead of a redirect."""


class _FormFields(HTMLParser):
    """Collects the hidden inputs of the sign-in form (the original authorize parameters)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields.setdefault(values["name"] or "", values.get("value") or "")


class EmulatorHandle:
    """Control and drive a running emulator from a test.

    >>> def test_login(scalekit_emulator):  # doctest: +SKIP
    ...     scalekit_emulator.set_token_lifetimes(access_token=5)
    """

    def __init__(self, emulator: Emulator, url: str) -> None:
        self.emulator = emulator
        self.url = url

    @property
    def client_id(self) -> str:
        return self.emulator.client_id

    @property
    def client_secret(self) -> str:
        return self.emulator.client_secret

    def env(self) -> dict[str, str]:
        """SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET."""
        return self.emulator.env()

    # --- controls ---

    def set_token_lifetimes(
        self,
        access_token: int | None = None,
        id_token: int | None = None,
        refresh_token: int | None = None,
        code: int | None = None,
    ) -> Lifetimes:
        return self.emulator.set_token_lifetimes(access_token, id_token, refresh_token, code)

    def set_clock_offset(self, seconds: float) -> None:
        self.emulator.set_clock_offset(seconds)

    def rotate_keys(self) -> str:
        return self.emulator.rotate_keys()

    def remove_key(self, kid: str) -> None:
        self.emulator.remove_key(kid)

    def inject_fault(
        self,
        path: str,
        *,
        status: int | None = None,
        delay: float = 0.0,
        body: str | None = None,
        count: int = 1,
    ) -> None:
        self.emulator.inject_fault(path, status=status, delay=delay, body=body, count=count)

    def clear_faults(self) -> None:
        self.emulator.clear_faults()

    def calls(self, path: str) -> int:
        return self.emulator.calls(path)

    def token_calls(self, grant_type: str) -> int:
        return self.emulator.token_calls(grant_type)

    def reset(self) -> None:
        self.emulator.reset()

    # --- webhooks and the user events that send them ---

    def register_webhook(self, url: str, secret: str | None = None) -> str:
        """Deliver the emulator's events to ``url``; the signing secret."""
        return self.emulator.webhooks.register(url, secret).secret

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until every delivery (retries included) is done."""
        return self.emulator.webhooks.wait_idle(timeout)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return [delivery.summary() for delivery in self.emulator.webhooks.deliveries()]

    def delete_user(self, user_id: str) -> bool:
        return self.emulator.delete_user(user_id) is not None

    def remove_membership(self, user_id: str, organization_id: str) -> bool:
        return self.emulator.remove_membership(user_id, organization_id)

    # --- acting as the browser, or skipping it ---

    def sign_in(
        self,
        authorize_url: str,
        email: str = "alice@acme.test",
        *,
        client: httpx.Client | None = None,
    ) -> str:
        """Do the browser's part of a login; return the final redirect URL to the app."""
        own = client is None
        http = client if client is not None else httpx.Client(timeout=10)
        try:
            first = http.get(authorize_url, follow_redirects=False)
            if first.is_redirect:
                return first.headers["location"]  # SSO session, or an error redirect
            if first.status_code != 200:
                raise SignInFailed(f"authorize answered {first.status_code}: {first.text[:200]}")
            parser = _FormFields()
            parser.feed(first.text)
            form = {**parser.fields, "email": email}
            second = http.post(
                urljoin(str(first.url), "/oauth/authorize"), data=form, follow_redirects=False
            )
            if not second.is_redirect:
                raise SignInFailed(f"sign-in answered {second.status_code}: {second.text[:200]}")
            return second.headers["location"]
        finally:
            if own:
                http.close()

    def mint_access_token(self, email: str = "alice@acme.test", **claim_overrides: Any) -> str:
        """An access token for `email`; a claim override of None removes that claim."""
        return self.emulator.mint_access_token(email, **claim_overrides)

    def issue_tokens(
        self,
        email: str = "alice@acme.test",
        scopes: tuple[str, ...] | list[str] = ("openid", "profile", "email", "offline_access"),
    ) -> dict[str, Any]:
        """A token-endpoint response for `email` (with a real session record), no login."""
        return self.emulator.issue_tokens(email, scopes)

    def mail(self, to: str | None = None) -> list[dict[str, Any]]:
        """The emails the emulator "sent" (passwordless codes and links), newest first."""
        with self.emulator.lock:
            messages = [
                {k: v for k, v in m.items() if k != "sent_at_epoch"}
                for m in self.emulator.state.mail.values()
                if to is None or m["to"].lower() == to.lower()
            ]
        return messages[::-1]

    def add_webauthn_credential(
        self, user_id: str, display_name: str = "Passkey"
    ) -> dict[str, Any]:
        """A registered passkey of ``user_id`` (registering needs a browser authenticator)."""
        from .auth_api import add_webauthn_credential

        return add_webauthn_credential(self.emulator, user_id, display_name)

    def grant_consent(self, client_id: str, external_user_id: str, scopes: list[str]) -> str:
        """Record a user's consent to a resource's client (a consent screen's outcome)."""
        from .clients_api import grant_consent

        return grant_consent(self.emulator, client_id, external_user_id, scopes)

    def record_event(
        self, event_type: str, data: dict[str, Any], organization_id: str = ""
    ) -> dict[str, Any]:
        """Append an event to the environment's event log (``client.events``)."""
        from .events_api import record_event

        with self.emulator.lock:
            return record_event(self.emulator, event_type, data, organization_id=organization_id)

    def session(self, session_id: str) -> dict[str, Any] | None:
        """The session record as `GET /api/v1/sessions/{id}` shows it (None if unknown)."""
        return self.emulator.session(session_id)
