"""OAuth 2.0 / OIDC routes: authorize (with its sign-in page), token, keys, discovery, logout,
and the IdP-initiated login stand-in."""

from __future__ import annotations

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .clients_api import machine_token
from .emulator import Emulator, LoginTarget, parse_device
from .errors import OAuthError
from .http_util import (
    basic_credentials,
    client_ip,
    json_response,
    read_form,
    redirect,
    with_query,
)
from .pages import message_page, sign_in_page
from .records import SsoLogin

SSO_COOKIE = "skemu_sso"
BASIC_CHALLENGE = 'Basic realm="scalekit-emulator", charset="UTF-8"'
DEFAULT_SCOPE = "openid profile email"
# Parameters carried through the sign-in form unchanged.
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "login_hint",
    "domain_hint",
    "connection_id",
    "organization_id",
    "provider",
    "prompt",
    "code_challenge",
    "code_challenge_method",
)


def _emulator(request: Request) -> Emulator:
    emu: Emulator = request.app.state.emulator
    return emu


def _error_page(title: str, message: str, status_code: int = 400) -> HTMLResponse:
    return HTMLResponse(message_page(title, message), status_code=status_code)


class _Authorize:
    """One authorize request, validated; shared by the GET (show) and POST (sign in) paths."""

    def __init__(self, emu: Emulator, params: dict[str, str]) -> None:
        self.emu = emu
        self.params = {k: params[k] for k in AUTHORIZE_PARAMS if params.get(k)}
        self.redirect_uri = self.params.get("redirect_uri", "")
        self.state = self.params.get("state")

    def fatal_error(self) -> HTMLResponse | None:
        # Never redirect to a URI we could not trust: show the error instead.
        if self.params.get("client_id") != self.emu.client_id:
            return _error_page("Unknown client", "The client_id is not registered.")
        if not self.redirect_uri or not self.emu.is_redirect_allowed(self.redirect_uri):
            return _error_page("Invalid redirect_uri", "The redirect_uri is not registered.")
        return None

    def error_redirect(self, error: str, description: str) -> Response:
        query = {"error": error, "error_description": description}
        if self.state:
            query["state"] = self.state
        return redirect(with_query(self.redirect_uri, query))

    def check(self) -> LoginTarget | None:
        """Raise OAuthError for errors that go back to the redirect URI."""
        if self.params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "only response_type=code is supported")
        challenge = self.params.get("code_challenge")
        method = self.params.get("code_challenge_method")
        if challenge and method != "S256":
            raise OAuthError("invalid_request", "code_challenge_method must be S256")
        if method and not challenge:
            raise OAuthError("invalid_request", "code_challenge_method without code_challenge")
        if challenge and not 43 <= len(challenge) <= 128:
            raise OAuthError("invalid_request", "code_challenge has the wrong length")
        return self.emu.resolve_target(
            organization_id=self.params.get("organization_id"),
            connection_id=self.params.get("connection_id"),
            domain_hint=self.params.get("domain_hint"),
        )

    def success_redirect(self, sso: SsoLogin) -> Response:
        code = self.emu.issue_code(
            sso,
            client_id=self.emu.client_id,
            redirect_uri=self.redirect_uri,
            code_challenge=self.params.get("code_challenge"),
            nonce=self.params.get("nonce"),
            scopes=tuple(self.params.get("scope", DEFAULT_SCOPE).split()),
        )
        query = {"code": code}
        if self.state:
            query["state"] = self.state
        query["iss"] = self.emu.issuer
        return redirect(with_query(self.redirect_uri, query), 303)

    def page(self, error: str | None = None, status_code: int = 200) -> HTMLResponse:
        with self.emu.lock:
            users = [
                u
                for u in self.emu.state.users.values()
                if u.id in ("usr_alice", "usr_bob", "usr_carol")
            ]
        html = sign_in_page(self.params, users, self.params.get("login_hint", ""), error)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        return response


async def authorize(request: Request) -> Response:
    emu = _emulator(request)
    if request.method == "POST":
        form = await read_form(request)
        flow = _Authorize(emu, form)
    else:
        form = {}
        flow = _Authorize(emu, dict(request.query_params))
    fatal = flow.fatal_error()
    if fatal is not None:
        return fatal
    try:
        target = flow.check()
    except OAuthError as exc:
        return flow.error_redirect(exc.error, exc.description)
    prompt = set(flow.params.get("prompt", "").split())

    if request.method == "GET":
        if "login" not in prompt:
            sso = emu.active_sso(request.cookies.get(SSO_COOKIE), target)
            if sso is not None:
                return flow.success_redirect(sso)
        if "none" in prompt:
            return flow.error_redirect("login_required", "no active session at the emulator")
        return flow.page()

    email = form.get("email", "").strip()
    device = parse_device(request.headers.get("user-agent", ""), client_ip(request))
    try:
        sso = emu.sign_in(email, target, device)
    except ValueError:
        return flow.page("Enter a valid email address.", status_code=400)
    response = flow.success_redirect(sso)
    response.set_cookie(SSO_COOKIE, sso.sso_id, httponly=True, samesite="lax", path="/")
    return response


def _token_error(exc: OAuthError) -> JSONResponse:
    return json_response(exc.as_json(), exc.status_code, **{"Cache-Control": "no-store"})


async def token(request: Request) -> Response:
    emu = _emulator(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _token_error(OAuthError("invalid_request", "expected a form-encoded body"))
    form = await read_form(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        return _token_error(OAuthError("invalid_request", "grant_type is required"))
    if grant_type in ("authorization_code", "refresh_token", "client_credentials"):
        emu.record_call("grant:" + grant_type)
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    # Real Scalekit tolerates a Basic header; the official SDK also sends a Bearer one
    # next to the body secret, which is simply ignored here.
    authorization = request.headers.get("authorization", "")
    tried_basic = not client_secret and authorization[:6].lower() == "basic "
    if tried_basic:
        basic = basic_credentials(authorization)
        if basic is not None:
            client_id, client_secret = basic
    try:
        machine = (
            machine_token(emu, client_id, client_secret, form.get("scope"))
            if grant_type == "client_credentials"
            else None
        )
        if machine is not None:  # an organization's or a resource's machine client
            return json_response(machine.as_json(), 200, **{"Cache-Control": "no-store"})
        emu.authenticate_client(client_id, client_secret)
        if grant_type == "authorization_code":
            code = form.get("code")
            if not code:
                raise OAuthError("invalid_request", "code is required")
            result = emu.exchange_code(
                code=code,
                redirect_uri=form.get("redirect_uri"),
                code_verifier=form.get("code_verifier"),
            )
        elif grant_type == "refresh_token":
            refresh_token = form.get("refresh_token")
            if not refresh_token:
                raise OAuthError("invalid_request", "refresh_token is required")
            result = emu.refresh(refresh_token=refresh_token, scope=form.get("scope"))
        elif grant_type == "client_credentials":
            result = emu.client_credentials(scope=form.get("scope"))
        else:
            raise OAuthError(
                "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
            )
    except OAuthError as exc:
        response = _token_error(exc)
        if exc.error == "invalid_client" and tried_basic:
            # RFC 6749 §5.2: a client that tried the Authorization header is told which
            # scheme to retry with.
            response.headers["WWW-Authenticate"] = BASIC_CHALLENGE
        return response
    return json_response(
        result.as_json(), 200, **{"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


async def keys(request: Request) -> Response:
    emu = _emulator(request)
    with emu.lock:
        body = emu.keys.jwks()
    return json_response(body, 200, **{"Cache-Control": "public, max-age=60"})


async def discovery(request: Request) -> Response:
    iss = _emulator(request).issuer
    return json_response(
        {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/oauth/authorize",
            "token_endpoint": f"{iss}/oauth/token",
            "jwks_uri": f"{iss}/keys",
            "end_session_endpoint": f"{iss}/oidc/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "sid",
                "oid",
                "amr",
                "email",
                "email_verified",
                "name",
                "given_name",
                "family_name",
                "preferred_username",
                "locale",
            ],
        }
    )


async def logout(request: Request) -> Response:
    emu = _emulator(request)
    params = request.query_params
    hint = params.get("id_token_hint") or None
    post_logout = params.get("post_logout_redirect_uri") or None
    if hint is not None:
        try:
            emu.verify_token(hint, verify_exp=False)
        except jwt.InvalidTokenError:
            return _error_page("Invalid logout request", "id_token_hint is not a valid ID token.")
    if post_logout is not None and not emu.is_post_logout_redirect_allowed(post_logout):
        return _error_page(
            "Invalid logout request", "post_logout_redirect_uri is not absolute and registered."
        )
    emu.logout(id_token_hint=hint, sso_id=request.cookies.get(SSO_COOKIE))
    response: Response
    if post_logout is not None:
        state = params.get("state")
        response = redirect(with_query(post_logout, {"state": state}) if state else post_logout)
    else:
        response = HTMLResponse(message_page("Signed out", "You are signed out of the emulator."))
    response.delete_cookie(SSO_COOKIE, path="/", httponly=True, samesite="lax")
    return response


async def idp_initiated_login(request: Request) -> Response:
    """Stand-in for an IdP dashboard tile: send the browser to the app's initiate-login URL."""
    emu = _emulator(request)
    params = request.query_params
    initiate = params.get("initiate_login_uri", "")
    if not emu.is_redirect_allowed(initiate):
        return _error_page("Invalid request", "initiate_login_uri is not an allowed URL.")
    email = params.get("email", "")
    try:
        target = emu.resolve_target(
            organization_id=params.get("organization_id"),
            connection_id=params.get("connection_id"),
            domain_hint=email or None,
        )
    except OAuthError as exc:
        return _error_page("Invalid request", exc.description)
    if target is None:
        target = emu.resolve_target(
            organization_id="org_acme", connection_id=None, domain_hint=None
        )
        assert target is not None
    token_ = emu.idp_initiated_token(
        organization_id=target.organization_id,
        connection_id=target.connection_id,
        login_hint=email,
        relay_state=params.get("relay_state", ""),
    )
    return redirect(with_query(initiate, {"idp_initiated_login": token_}))


routes = [
    Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/keys", keys, methods=["GET"]),
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route("/oidc/logout", logout, methods=["GET"]),
    Route("/_emulator/idp-initiated-login", idp_initiated_login, methods=["GET"]),
]
