"""The emulator's model and operations, plus its Python control API.

Routes (oauth.py, management.py, controls.py) only translate HTTP to calls on `Emulator`.
One re-entrant lock guards all state: uvicorn's thread and test threads share the object.
"""

from __future__ import annotations

import base64
import dataclasses
import fnmatch
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt

from .access import default_member_role, user_in
from .errors import OAuthError
from .keys import KeyRing, SigningKey
from .records import (
    AuthorizationCode,
    Device,
    Fault,
    Lifetimes,
    RefreshToken,
    SessionRecord,
    SsoLogin,
    TokenResponse,
    User,
)
from .seed import DEFAULT_ORGANIZATION_ID
from .state import EmulatorState, membership_key, write_json_atomically
from .tokens import (
    access_token_claims,
    client_credentials_claims,
    id_token_claims,
    idp_initiated_claims,
)
from .webhooks import WebhookDeliveries

DEFAULT_ISSUER = "http://127.0.0.1:8765"
REFRESH_GRACE_SECONDS = 30
# How long after a mutating request the --data file is written (see Emulator.save_soon).
SAVE_DELAY = 0.5
# Bound on the clock offset and token lifetimes: far enough for any test, near enough that
# every timestamp derived from them stays within what datetime and RFC 3339 can express.
MAX_SPAN = 10 * 365 * 86400
_LOCAL_REDIRECT = re.compile(r"^https?://(localhost|127\.0\.0\.1)(:\d{1,5})?(/[^\s#]*)?$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse_device(user_agent: str, ip: str) -> Device:
    ua = user_agent.lower()
    os_name = next(
        (
            name
            for key, name in [
                ("android", "Android"),
                ("iphone", "iOS"),
                ("ipad", "iOS"),
                ("windows", "Windows"),
                ("mac os", "macOS"),
                ("linux", "Linux"),
            ]
            if key in ua
        ),
        "",
    )
    browser = next(
        (
            name
            for key, name in [
                ("edg/", "Edge"),
                ("chrome/", "Chrome"),
                ("firefox/", "Firefox"),
                ("safari/", "Safari"),
                ("python-httpx", "httpx"),
                ("python-requests", "requests"),
            ]
            if key in ua
        ),
        "",
    )
    device_type = "mobile" if ("mobile" in ua or "iphone" in ua or "android" in ua) else "desktop"
    return Device(
        user_agent=user_agent, os=os_name, browser=browser, device_type=device_type, ip=ip
    )


@dataclasses.dataclass(frozen=True)
class LoginTarget:
    organization_id: str
    connection_id: str


class Emulator:
    """A local Scalekit environment. Serve it with `EmulatorServer` or `create_app`.

    >>> emu = Emulator(enable_controls=True)
    >>> emu.set_token_lifetimes(access_token=5)
    """

    def __init__(
        self,
        *,
        issuer: str | None = None,
        enable_controls: bool = False,
        data_path: str | Path | None = None,
        redirect_uris: Iterable[str] | None = None,
        post_logout_redirect_uris: Iterable[str] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        # Separate from the state lock so slow disk writes never block request handling.
        self._save_lock = threading.Lock()
        self._save_timer: threading.Timer | None = None
        self.issuer = (issuer or DEFAULT_ISSUER).rstrip("/")
        self.enable_controls = enable_controls
        self.data_path = Path(data_path) if data_path is not None else None
        # None means "any http(s)://localhost or 127.0.0.1 URL", the development default.
        self.redirect_uris = list(redirect_uris) if redirect_uris is not None else None
        self.post_logout_redirect_uris = (
            list(post_logout_redirect_uris) if post_logout_redirect_uris is not None else None
        )
        self._clock_offset = 0.0
        self.lifetimes = Lifetimes()
        self._faults: list[Fault] = []
        self._calls: Counter[str] = Counter()
        loaded = self._load() if self.data_path is not None else None
        if loaded is not None:
            self.state, keys = loaded
        else:
            self.state, keys = EmulatorState.seeded(time.time()), [SigningKey.generate()]
        self._initial_keys = list(keys)
        self.keys = KeyRing(keys)
        #: Outgoing webhooks: ``emulator.webhooks.register(url, secret)``.
        self.webhooks = WebhookDeliveries(self.now)

    # --- clock, configuration, persistence -------------------------------------------------

    def now(self) -> float:
        return time.time() + self._clock_offset

    @property
    def client_id(self) -> str:
        return self.state.client.client_id

    @property
    def client_secret(self) -> str:
        return self.state.client.client_secret

    def env(self) -> dict[str, str]:
        return {
            "SCALEKIT_ENVIRONMENT_URL": self.issuer,
            "SCALEKIT_CLIENT_ID": self.client_id,
            "SCALEKIT_CLIENT_SECRET": self.client_secret,
        }

    def is_redirect_allowed(self, uri: str) -> bool:
        return self._uri_allowed(uri, self.redirect_uris)

    def is_post_logout_redirect_allowed(self, uri: str) -> bool:
        return self._uri_allowed(uri, self.post_logout_redirect_uris)

    @staticmethod
    def _uri_allowed(uri: str, allowed: list[str] | None) -> bool:
        try:
            parts = urlsplit(uri)
            _ = parts.port  # raises ValueError on a junk port
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            return False
        if allowed is None:
            return bool(_LOCAL_REDIRECT.match(uri))
        # Entries are exact URIs or fnmatch patterns such as "https://*.example.com/callback".
        return any(uri == a or fnmatch.fnmatchcase(uri, a) for a in allowed)

    def save_soon(self) -> None:
        """Write the state to `data_path` within `SAVE_DELAY` seconds (no-op without one).

        Called after every mutating request: a burst of requests writes the file once instead
        of once each (a write costs 15-20 ms). `save()` (run when the server stops) flushes a
        pending write at once.
        """
        if self.data_path is None:
            return
        with self._lock:
            if self._save_timer is not None:
                return
            timer = threading.Timer(SAVE_DELAY, self._save_pending)
            timer.daemon = True
            self._save_timer = timer
        timer.start()

    def _save_pending(self) -> None:
        with self._lock:
            self._save_timer = None
        self.save()

    def save(self) -> None:
        """Write the state to `data_path` (no-op without one)."""
        if self.data_path is None:
            return
        with self._lock:
            timer, self._save_timer = self._save_timer, None
            if timer is not None:
                timer.cancel()
            data = {
                "state": self.state.to_json(),
                "keys": [{"kid": k.kid, "pem": k.private_pem()} for k in self.keys.keys],
            }
        with self._save_lock:
            write_json_atomically(self.data_path, data)

    def _load(self) -> tuple[EmulatorState, list[SigningKey]] | None:
        assert self.data_path is not None
        if not self.data_path.exists():
            return None
        data = json.loads(self.data_path.read_text(encoding="utf-8"))
        keys = [SigningKey.from_pem(k["kid"], k["pem"]) for k in data["keys"]]
        return EmulatorState.from_json(data["state"]), keys

    # --- test controls (also served under /_emulator when enabled) --------------------------

    def set_token_lifetimes(
        self,
        access_token: int | None = None,
        id_token: int | None = None,
        refresh_token: int | None = None,
        code: int | None = None,
    ) -> Lifetimes:
        changes = {
            name: int(value)
            for name, value in (
                ("access_token", access_token),
                ("id_token", id_token),
                ("refresh_token", refresh_token),
                ("code", code),
            )
            if value is not None
        }
        if any(not 0 < v <= MAX_SPAN for v in changes.values()):
            raise ValueError(f"lifetimes must be positive and at most {MAX_SPAN} seconds")
        with self._lock:
            self.lifetimes = dataclasses.replace(self.lifetimes, **changes)
            return self.lifetimes

    def set_clock_offset(self, seconds: float) -> None:
        seconds = float(seconds)
        if not abs(seconds) <= MAX_SPAN:  # written so that NaN fails too
            raise ValueError(f"the clock offset must be within ±{MAX_SPAN} seconds")
        with self._lock:
            self._clock_offset = seconds

    @property
    def clock_offset(self) -> float:
        return self._clock_offset

    def rotate_keys(self) -> str:
        """Make a new signing key current; the old ones stay published. Returns the new kid."""
        with self._lock:
            return self.keys.rotate().kid

    def remove_key(self, kid: str) -> None:
        with self._lock:
            self.keys.remove(kid)

    def inject_fault(
        self,
        path: str,
        *,
        status: int | None = None,
        delay: float = 0.0,
        body: str | None = None,
        count: int = 1,
    ) -> None:
        if count < 1 or delay < 0 or (status is not None and not 100 <= status <= 599):
            raise ValueError("count >= 1, delay >= 0 and a valid HTTP status are required")
        with self._lock:
            self._faults.append(
                Fault(path=path, remaining=count, status=status, delay=delay, body=body)
            )

    def clear_faults(self) -> None:
        """Drop every injected fault not yet used up (the provider recovers)."""
        with self._lock:
            self._faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        """Consume one use of the first fault matching `path`, if any."""
        with self._lock:
            for i, fault in enumerate(self._faults):
                if path.startswith(fault.path):
                    if fault.remaining <= 1:
                        del self._faults[i]
                    else:
                        self._faults[i] = dataclasses.replace(fault, remaining=fault.remaining - 1)
                    return fault
        return None

    def record_call(self, key: str) -> None:
        with self._lock:
            self._calls[key] += 1

    def calls(self, path: str) -> int:
        with self._lock:
            return self._calls[path]

    def token_calls(self, grant_type: str) -> int:
        with self._lock:
            return self._calls["grant:" + grant_type]

    def call_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def reset(self) -> None:
        """Back to the seed: counters, faults, lifetimes, clock, keys, and all data."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self.lifetimes = Lifetimes()
            self._clock_offset = 0.0
            self.keys = KeyRing(self._initial_keys)
            self.state = EmulatorState.seeded(time.time())
            self.webhooks.clear()

    # --- sign-in ------------------------------------------------------------------------------

    def resolve_target(
        self,
        *,
        organization_id: str | None,
        connection_id: str | None,
        domain_hint: str | None,
    ) -> LoginTarget | None:
        """The org/connection an authorize request asks for; None = the user's own.

        Raises OAuthError for an unknown organization or connection.
        """
        with self._lock:
            conns = self.state.connections
            if connection_id:
                conn = conns.get(connection_id)
                if conn is None or not conn.organization_id:
                    raise OAuthError("invalid_request", "unknown connection_id")
                if not conn.enabled:
                    raise OAuthError("invalid_request", "the connection is disabled")
                return LoginTarget(conn.organization_id, conn.id)
            if organization_id:
                if organization_id not in self.state.organizations:
                    raise OAuthError("invalid_request", "unknown organization_id")
                return LoginTarget(organization_id, self._connection_of(organization_id))
            if domain_hint:
                hint = domain_hint.strip().lower().rsplit("@", 1)[-1]
                for conn in conns.values():
                    if conn.enabled and conn.organization_id and hint in conn.domains:
                        return LoginTarget(conn.organization_id, conn.id)
                for domain in self.state.domains.values():  # a verified domain of an org
                    if domain.domain == hint and domain.verification_status == "VERIFIED":
                        org = domain.organization_id
                        return LoginTarget(org, self._connection_of(org))
            return None

    def _connection_of(self, organization_id: str) -> str:
        conn = next(
            (
                c
                for c in self.state.connections.values()
                if c.organization_id == organization_id and c.enabled
            ),
            None,
        )
        # Organizations created at runtime get a synthetic connection id.
        return conn.id if conn else "conn_" + organization_id.removeprefix("org_")

    def find_or_create_user(self, email: str, organization_id: str | None = None) -> User:
        email = email.strip()
        if not _EMAIL.match(email) or len(email) > 254:
            raise ValueError("not an email address")
        with self._lock:
            user = self.state.user_by_email(email)
            if user is None:
                now = self.now()
                local = email.split("@", 1)[0]
                name = " ".join(p.capitalize() for p in re.split(r"[._+-]+", local) if p)
                user = User(
                    id="usr_" + secrets.token_hex(8),
                    email=email,
                    name=name or local,
                    organization_id=organization_id or DEFAULT_ORGANIZATION_ID,
                    roles=(
                        default_member_role(self.state, organization_id or DEFAULT_ORGANIZATION_ID),
                    ),
                    permissions=(),
                    external_id=None,
                    metadata={},
                    create_time=now,
                    update_time=now,
                )
                self.state.users[user.id] = user
            return user

    def sign_in(self, email: str, target: LoginTarget | None, device: Device) -> SsoLogin:
        """Authenticate `email` and open a Scalekit session record plus an SSO login."""
        with self._lock:
            user = self.find_or_create_user(email, target.organization_id if target else None)
            if target is None:
                target = LoginTarget(
                    user.organization_id, self._connection_of(user.organization_id)
                )
            now = self.now()
            session = SessionRecord(
                session_id="ses_" + secrets.token_hex(10),
                user_id=user.id,
                organization_id=target.organization_id,
                status="active",
                created_at=now,
                updated_at=now,
                last_active_at=now,
                idle_timeout=self.lifetimes.session_idle,
                absolute_expires_at=now + self.lifetimes.session_absolute,
                logout_at=None,
                revoked_at=None,
                device=device,
            )
            self.state.sessions[session.session_id] = session
            sso = SsoLogin(
                sso_id=secrets.token_urlsafe(24),
                user_id=user.id,
                session_id=session.session_id,
                organization_id=target.organization_id,
                connection_id=target.connection_id,
                auth_time=now,
            )
            self.state.sso_logins[sso.sso_id] = sso
            return sso

    def active_sso(self, sso_id: str | None, target: LoginTarget | None) -> SsoLogin | None:
        """The SSO login behind a cookie, if its session is still active and fits `target`."""
        if not sso_id:
            return None
        with self._lock:
            sso = self.state.sso_logins.get(sso_id)
            if sso is None:
                return None
            session = self.state.sessions.get(sso.session_id)
            if session is None or session.effective_status(self.now()) != "active":
                return None
            if target is not None and target.organization_id != sso.organization_id:
                return None  # another organization means another IdP: sign in again
            return sso

    def issue_code(
        self,
        sso: SsoLogin,
        *,
        client_id: str,
        redirect_uri: str,
        code_challenge: str | None,
        nonce: str | None,
        scopes: tuple[str, ...],
    ) -> str:
        with self._lock:
            code = AuthorizationCode(
                code=secrets.token_urlsafe(32),
                client_id=client_id,
                redirect_uri=redirect_uri,
                code_challenge=code_challenge,
                nonce=nonce,
                scopes=scopes,
                user_id=sso.user_id,
                organization_id=sso.organization_id,
                connection_id=sso.connection_id,
                session_id=sso.session_id,
                auth_time=sso.auth_time,
                expires_at=self.now() + self.lifetimes.code,
            )
            self.state.codes[code.code] = code
            return code.code

    # --- token endpoint -----------------------------------------------------------------------

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> None:
        client = self.state.client
        if (
            not client_id
            or not client_secret
            or not hmac.compare_digest(client_id.encode(), client.client_id.encode())
            or not hmac.compare_digest(client_secret.encode(), client.client_secret.encode())
        ):
            raise OAuthError("invalid_client", "client authentication failed", 401)

    def exchange_code(
        self, *, code: str, redirect_uri: str | None, code_verifier: str | None
    ) -> TokenResponse:
        with self._lock:
            # Popped first: a code is single use even when this exchange fails.
            record = self.state.codes.pop(code, None)
            if record is None:
                raise OAuthError("invalid_grant", "authorization code is invalid or already used")
            if record.expires_at <= self.now():
                raise OAuthError("invalid_grant", "authorization code expired")
            if redirect_uri != record.redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorize one")
            if record.code_challenge is not None:
                if not code_verifier:
                    raise OAuthError("invalid_grant", "code_verifier is required")
                if not hmac.compare_digest(pkce_s256(code_verifier), record.code_challenge):
                    raise OAuthError("invalid_grant", "code_verifier does not match")
            session = self.state.sessions.get(record.session_id)
            if session is None or session.effective_status(self.now()) != "active":
                raise OAuthError("invalid_grant", "the session has ended")
            return self._user_tokens(
                user_id=record.user_id,
                session_id=record.session_id,
                organization_id=record.organization_id,
                connection_id=record.connection_id,
                scopes=record.scopes,
                nonce=record.nonce,
                auth_time=record.auth_time,
            )

    def refresh(self, *, refresh_token: str, scope: str | None) -> TokenResponse:
        with self._lock:
            now = self.now()
            record = self.state.refresh_tokens.get(refresh_token)
            if record is None or record.expires_at <= now:
                raise OAuthError("invalid_grant", "refresh token is invalid or expired")
            if record.grace_until is not None and record.grace_until <= now:
                raise OAuthError("invalid_grant", "refresh token was already used")
            session = self.state.sessions.get(record.session_id)
            if session is None or session.effective_status(now) != "active":
                raise OAuthError("invalid_grant", "the session has ended")
            scopes = record.scopes
            if scope:
                wanted = tuple(scope.split())
                if not set(wanted) <= set(record.scopes):
                    raise OAuthError("invalid_scope", "scope exceeds the original grant")
                scopes = wanted
            if record.grace_until is None:
                self.state.refresh_tokens[refresh_token] = dataclasses.replace(
                    record, grace_until=now + REFRESH_GRACE_SECONDS
                )
            self.state.sessions[session.session_id] = dataclasses.replace(
                session, last_active_at=now, updated_at=now
            )
            return self._user_tokens(
                user_id=record.user_id,
                session_id=record.session_id,
                organization_id=record.organization_id,
                connection_id=record.connection_id,
                scopes=scopes if "offline_access" in scopes else (*scopes, "offline_access"),
                nonce=None,
                auth_time=record.auth_time,
            )

    def client_credentials(self, *, scope: str | None) -> TokenResponse:
        scopes = tuple(scope.split()) if scope else ()
        if {"openid", "offline_access"} & set(scopes):
            raise OAuthError("invalid_scope", "user scopes are not allowed for client_credentials")
        with self._lock:
            lifetime = self.lifetimes.client_credentials
            claims = client_credentials_claims(
                issuer=self.issuer,
                client_id=self.client_id,
                scopes=scopes,
                now=self.now(),
                lifetime=lifetime,
            )
            return TokenResponse(access_token=self.keys.current.sign(claims), expires_in=lifetime)

    def _user_tokens(
        self,
        *,
        user_id: str,
        session_id: str,
        organization_id: str,
        connection_id: str,
        scopes: tuple[str, ...],
        nonce: str | None,
        auth_time: float,
    ) -> TokenResponse:
        user = self.state.users.get(user_id)
        if user is None:
            raise OAuthError("invalid_grant", "the user no longer exists")
        user = user_in(self.state, user, organization_id)  # roles and permissions in that org
        now = self.now()
        lt = self.lifetimes
        key = self.keys.current
        access = key.sign(
            access_token_claims(
                issuer=self.issuer,
                client_id=self.client_id,
                user=user,
                session_id=session_id,
                organization_id=organization_id,
                scopes=scopes,
                now=now,
                lifetime=lt.access_token,
            )
        )
        id_token = key.sign(
            id_token_claims(
                issuer=self.issuer,
                client_id=self.client_id,
                user=user,
                session_id=session_id,
                organization_id=organization_id,
                connection_id=connection_id,
                nonce=nonce,
                auth_time=auth_time,
                now=now,
                lifetime=lt.id_token,
                access_token=access,
            )
        )
        refresh: str | None = None
        if "offline_access" in scopes:
            refresh = "rt_" + secrets.token_urlsafe(32)
            self.state.refresh_tokens[refresh] = RefreshToken(
                token=refresh,
                client_id=self.client_id,
                user_id=user.id,
                session_id=session_id,
                organization_id=organization_id,
                connection_id=connection_id,
                scopes=scopes,
                auth_time=auth_time,
                expires_at=now + lt.refresh_token,
            )
        return TokenResponse(
            access_token=access,
            expires_in=lt.access_token,
            id_token=id_token,
            refresh_token=refresh,
        )

    def verify_token(self, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
        """Verify a token we signed (raises jwt.InvalidTokenError)."""
        with self._lock:
            claims = self.keys.decode(token, verify_exp=verify_exp, now=self.now())
        if claims.get("iss") != self.issuer:
            raise jwt.InvalidIssuerError("wrong issuer")
        return claims

    # --- tokens without a browser (for tests of bearer-protected code) ----------------------

    def issue_tokens(
        self,
        email: str = "alice@acme.test",
        scopes: Iterable[str] = ("openid", "profile", "email", "offline_access"),
        *,
        nonce: str | None = None,
        organization_id: str | None = None,
    ) -> dict[str, Any]:
        """Sign `email` in (a real session record) and return a token-endpoint response."""
        target = self.resolve_target(
            organization_id=organization_id, connection_id=None, domain_hint=None
        )
        device = parse_device("scalekit-emulator", "127.0.0.1")
        with self._lock:
            sso = self.sign_in(email, target, device)
            del self.state.sso_logins[sso.sso_id]  # no browser, so no SSO cookie to back it
            return self._user_tokens(
                user_id=sso.user_id,
                session_id=sso.session_id,
                organization_id=sso.organization_id,
                connection_id=sso.connection_id,
                scopes=tuple(scopes),
                nonce=nonce,
                auth_time=sso.auth_time,
            ).as_json()

    def mint_access_token(self, email: str = "alice@acme.test", **claim_overrides: Any) -> str:
        """An access token for `email` (backed by a session record), claims overridable."""
        tokens = self.issue_tokens(email, scopes=("openid", "profile", "email"))
        if not claim_overrides:
            return str(tokens["access_token"])
        with self._lock:
            claims = self.keys.decode(tokens["access_token"], verify_exp=False, now=self.now())
            claims.update(claim_overrides)
            # None removes a claim, so tests can mint e.g. a token without "exp".
            claims = {k: v for k, v in claims.items() if v is not None}
            return self.keys.current.sign(claims)

    # --- logout and sessions ------------------------------------------------------------------

    def logout(self, *, id_token_hint: str | None, sso_id: str | None) -> None:
        """End the SSO login and the session record (from the cookie or the ID token)."""
        with self._lock:
            session_ids: set[str] = set()
            sso = self.state.sso_logins.pop(sso_id, None) if sso_id else None
            if sso is not None:
                session_ids.add(sso.session_id)
            if id_token_hint:
                sid = self.verify_token(id_token_hint, verify_exp=False).get("sid")
                if isinstance(sid, str):
                    session_ids.add(sid)
            now = self.now()
            for sid in session_ids:
                session = self.state.sessions.get(sid)
                if session is not None and session.effective_status(now) == "active":
                    self.state.sessions[sid] = dataclasses.replace(
                        session, status="logout", logout_at=now, updated_at=now
                    )
                    self._session_event("user.logout", session)
            for key in [k for k, v in self.state.sso_logins.items() if v.session_id in session_ids]:
                del self.state.sso_logins[key]

    def revoke_session(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            session = self.state.sessions.get(session_id)
            if session is None:
                return None
            now = self.now()
            if session.effective_status(now) == "active":
                session = dataclasses.replace(
                    session, status="revoked", revoked_at=now, updated_at=now
                )
                self.state.sessions[session_id] = session
                self._session_event("session.revoked", session)
            return session

    def _session_event(self, event_type: str, session: SessionRecord) -> None:
        self.webhooks.emit(
            event_type,
            {
                "session_id": session.session_id,
                "user_id": session.user_id,
                "organization_id": session.organization_id,
            },
            organization_id=session.organization_id,
            object_name="Session",
        )

    def delete_user(self, user_id: str) -> User | None:
        """Delete a user and their memberships (``user.deleted``); ``None`` when there is none."""
        with self._lock:
            user = self.state.users.pop(user_id, None)
            if user is not None:
                for key in [k for k, m in self.state.memberships.items() if m.user_id == user_id]:
                    del self.state.memberships[key]
                self.webhooks.emit(
                    "user.deleted",
                    {"user_id": user.id, "user": {"id": user.id, "email": user.email}},
                    organization_id=user.organization_id,
                    object_name="User",
                )
            return user

    def remove_membership(self, user_id: str, organization_id: str) -> bool:
        """End ``user_id``'s membership of ``organization_id``
        (``user.organization_membership_deleted``). ``False`` when the user is not a member;
        ``ValueError`` for the user's only membership (delete the user instead). When it was
        the user's own organization, their oldest other membership takes its place."""
        with self._lock:
            user = self.state.users.get(user_id)
            if user is None:
                return False
            key = membership_key(organization_id, user_id)
            if user.organization_id != organization_id:
                if self.state.memberships.pop(key, None) is None:
                    return False
            else:
                others = [m for m in self.state.memberships.values() if m.user_id == user_id]
                if not others:
                    raise ValueError(
                        "this is the user's only membership: delete the user to remove it"
                    )
                promoted = min(others, key=lambda m: (m.create_time, m.organization_id))
                del self.state.memberships[membership_key(promoted.organization_id, user_id)]
                self.state.users[user_id] = dataclasses.replace(
                    user, organization_id=promoted.organization_id, roles=promoted.roles
                )
            self.webhooks.emit(
                "user.organization_membership_deleted",
                {
                    "user_id": user.id,
                    "organization_id": organization_id,
                    "user": {"id": user.id, "email": user.email},
                },
                organization_id=organization_id,
                object_name="OrgMembership",
            )
            return True

    def session(self, session_id: str) -> dict[str, Any] | None:
        """A session record as the management API shows it."""
        from .shapes import session_json

        with self._lock:
            record = self.state.sessions.get(session_id)
            return session_json(record, self.now()) if record else None

    def idp_initiated_token(
        self,
        *,
        organization_id: str,
        connection_id: str,
        login_hint: str,
        relay_state: str,
    ) -> str:
        with self._lock:
            claims = idp_initiated_claims(
                issuer=self.issuer,
                client_id=self.client_id,
                connection_id=connection_id,
                organization_id=organization_id,
                login_hint=login_hint,
                relay_state=relay_state,
                now=self.now(),
                lifetime=self.lifetimes.idp_initiated,
            )
            return self.keys.current.sign(claims)

    @property
    def lock(self) -> threading.RLock:
        return self._lock
