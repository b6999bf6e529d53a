from __future__ import annotations

import secrets

import httpx
import jwt
import pytest

from scalekit_emulator import EmulatorHandle, pkce_s256

from .conftest import REDIRECT_URI, authorize_url, login, query_of


def jwks_key(http: httpx.Client, token: str) -> jwt.PyJWK:
    kid = jwt.get_unverified_header(token)["kid"]
    keys = http.get("/keys").json()["keys"]
    return jwt.PyJWK(next(k for k in keys if k["kid"] == kid))


def decode(http: httpx.Client, token: str, **kwargs: object) -> dict[str, object]:
    key = jwks_key(http, token)
    claims: dict[str, object] = jwt.decode(token, key.key, algorithms=["RS256"], **kwargs)  # type: ignore[arg-type]
    return claims


def token_post(http: httpx.Client, emu: EmulatorHandle, **data: str) -> httpx.Response:
    return http.post(
        "/oauth/token",
        data={"client_id": emu.client_id, "client_secret": emu.client_secret, **data},
    )


def test_full_code_flow_with_pkce_and_nonce(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    tokens = login(emu, http, nonce="n-123")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 300
    assert str(tokens["refresh_token"]).startswith("rt_")
    access = decode(http, str(tokens["access_token"]), audience=emu.client_id, issuer=emu.url)
    assert access["sub"] == "usr_alice"
    assert access["oid"] == "org_acme"
    assert access["roles"] == ["admin"]
    assert access["permissions"] == ["organization:settings", "users:read", "users:write"]
    assert access["scopes"] == ["openid", "profile", "email", "offline_access"]
    assert str(access["sid"]).startswith("ses_")
    for claim in ("exp", "iat", "nbf", "jti", "client_id"):
        assert claim in access
    id_claims = decode(http, str(tokens["id_token"]), audience=emu.client_id, issuer=emu.url)
    assert id_claims["nonce"] == "n-123"
    assert id_claims["azp"] == emu.client_id
    assert id_claims["amr"] == ["conn_acme_okta"]
    assert id_claims["email"] == "alice@acme.test"
    assert id_claims["given_name"] == "Alice"
    assert id_claims["family_name"] == "Anders"
    assert id_claims["email_verified"] is True
    assert id_claims["sid"] == access["sid"]
    session = emu.session(str(access["sid"]))
    assert session is not None and session["status"] == "active"
    assert session["device"]["user_agent"].startswith("python-httpx")
    assert session["device"]["ip"] == "127.0.0.1"


def test_authorize_redirect_carries_state_and_iss(scalekit_emulator: EmulatorHandle) -> None:
    final = scalekit_emulator.sign_in(authorize_url(scalekit_emulator, state="abc"))
    assert final.startswith(REDIRECT_URI + "?")
    q = query_of(final)
    assert q["state"] == "abc" and q["iss"] == scalekit_emulator.url and q["code"]


def test_sso_cookie_skips_page_and_prompt_login_forces_it(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    with httpx.Client() as browser:
        emu.sign_in(authorize_url(emu), "bob@acme.test", client=browser)
        again = browser.get(authorize_url(emu), follow_redirects=False)
        assert again.status_code in (302, 303)
        assert "code=" in again.headers["location"]
        forced = browser.get(authorize_url(emu, prompt="login"), follow_redirects=False)
        assert forced.status_code == 200 and "Sign in" in forced.text
        silent = browser.get(authorize_url(emu, prompt="none"), follow_redirects=False)
        assert "code=" in silent.headers["location"]
    # No cookie kept between sign_in calls by default: prompt=none then fails.
    final = emu.sign_in(authorize_url(emu, prompt="none", state="s1"))
    q = query_of(final)
    assert q["error"] == "login_required" and q["state"] == "s1"


def test_login_hint_prefills_and_values_are_escaped(scalekit_emulator: EmulatorHandle) -> None:
    page = httpx.get(authorize_url(scalekit_emulator, login_hint='x"><script>@a.test', state="<b>"))
    assert page.status_code == 200
    assert "<script>" not in page.text and "&lt;b&gt;" in page.text
    assert 'value="x&quot;&gt;&lt;script&gt;@a.test"' in page.text


def test_new_email_creates_member_user(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    tokens = login(scalekit_emulator, http, "dave.doe@example.test")
    claims = jwt.decode(str(tokens["access_token"]), options={"verify_signature": False})
    assert str(claims["sub"]).startswith("usr_") and claims["oid"] == "org_acme"
    # the seeded "member" role grants users:read
    assert claims["roles"] == ["member"] and claims["permissions"] == ["users:read"]


@pytest.mark.parametrize(
    ("params", "org", "conn"),
    [
        ({"organization_id": "org_globex"}, "org_globex", "conn_globex_entra"),
        ({"connection_id": "conn_globex_entra"}, "org_globex", "conn_globex_entra"),
        ({"domain_hint": "globex.test"}, "org_globex", "conn_globex_entra"),
    ],
)
def test_org_routing(
    scalekit_emulator: EmulatorHandle,
    http: httpx.Client,
    params: dict[str, str],
    org: str,
    conn: str,
) -> None:
    tokens = login(scalekit_emulator, http, "carol@globex.test", **params)
    claims = jwt.decode(str(tokens["id_token"]), options={"verify_signature": False})
    assert claims["oid"] == org and claims["amr"] == [conn]


def test_authorize_errors(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    bad_client = http.get(authorize_url(emu, client_id="nope"), follow_redirects=False)
    assert bad_client.status_code == 400 and "text/html" in bad_client.headers["content-type"]
    for uri in ("https://evil.example/cb", "not a url", "http://localhost:99999999/x"):
        r = http.get(authorize_url(emu, redirect_uri=uri), follow_redirects=False)
        assert r.status_code == 400 and "location" not in r.headers
    cases = [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": "a" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "a" * 43}, "invalid_request"),
        ({"organization_id": "org_missing"}, "invalid_request"),
    ]
    for params, error in cases:
        r = http.get(authorize_url(emu, state="z", **params), follow_redirects=False)
        assert r.status_code == 302, params
        q = query_of(r.headers["location"])
        assert q["error"] == error and q["state"] == "z" and q["error_description"]


def test_sign_in_with_invalid_email_redisplays_page(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    r = http.post(
        "/oauth/authorize",
        data={
            "response_type": "code",
            "client_id": scalekit_emulator.client_id,
            "redirect_uri": REDIRECT_URI,
            "email": "not-an-email",
        },
    )
    assert r.status_code == 400 and "valid email" in r.text


def _code(emu: EmulatorHandle, **params: str) -> str:
    return query_of(emu.sign_in(authorize_url(emu, **params)))["code"]


def test_token_endpoint_errors(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    verifier = secrets.token_urlsafe(48)
    code = _code(emu, code_challenge=pkce_s256(verifier), code_challenge_method="S256")

    def err(response: httpx.Response) -> tuple[int, str]:
        return response.status_code, response.json()["error"]

    base = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    assert err(
        http.post("/oauth/token", data={**base, "client_id": "x", "client_secret": "y"})
    ) == (401, "invalid_client")
    assert err(
        http.post(
            "/oauth/token", data={**base, "client_id": emu.client_id, "client_secret": "wrong"}
        )
    ) == (401, "invalid_client")
    # A failed exchange burns the code (single use), so each case gets a fresh one.
    assert err(token_post(http, emu, **base, code_verifier="wrong" * 10)) == (400, "invalid_grant")
    code = _code(emu, code_challenge=pkce_s256(verifier), code_challenge_method="S256")
    assert err(token_post(http, emu, **{**base, "code": code})) == (400, "invalid_grant")
    code = _code(emu)
    assert err(
        token_post(
            http, emu, **{**base, "code": code, "redirect_uri": "http://localhost:3000/other"}
        )
    ) == (400, "invalid_grant")
    code = _code(emu)
    assert token_post(http, emu, **{**base, "code": code}).status_code == 200
    assert err(token_post(http, emu, **{**base, "code": code})) == (400, "invalid_grant")
    assert err(token_post(http, emu, grant_type="password")) == (400, "unsupported_grant_type")
    assert err(token_post(http, emu)) == (400, "invalid_request")
    assert err(token_post(http, emu, grant_type="authorization_code")) == (400, "invalid_request")
    assert err(token_post(http, emu, grant_type="client_credentials", scope="openid")) == (
        400,
        "invalid_scope",
    )
    assert err(http.post("/oauth/token", json={"grant_type": "client_credentials"})) == (
        400,
        "invalid_request",
    )


def test_expired_code(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    code = _code(emu)
    emu.set_clock_offset(61)
    r = token_post(http, emu, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe\x00",
        b"grant_type=%ZZ&&&==",
        b"a" * 70000,
        b"grant_type=refresh_token&refresh_token=" + b"x" * 5000,
        b"grant_type=authorization_code&code=%00&redirect_uri=%00",
    ],
)
def test_junk_never_500(scalekit_emulator: EmulatorHandle, http: httpx.Client, body: bytes) -> None:
    for ct in ("application/x-www-form-urlencoded", "text/plain", "application/json"):
        r = http.post("/oauth/token", content=body, headers={"content-type": ct})
        assert 400 <= r.status_code < 500
        assert "error" in r.json()
    r = http.post(
        "/oauth/authorize",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    hint = body.decode("latin-1")[:500]
    assert http.get("/oidc/logout", params={"id_token_hint": hint}).status_code == (
        400 if hint else 200
    )


def test_basic_and_bearer_headers_tolerated(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    r = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(emu.client_id, emu.client_secret),
    )
    assert r.status_code == 200
    r = http.post(
        "/oauth/token",
        headers={"Authorization": "Bearer junk"},
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        },
    )
    assert r.status_code == 200
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == emu.client_id and "sid" not in claims
    assert "id_token" not in r.json() and "refresh_token" not in r.json()


def test_invalid_client_over_basic_names_the_scheme(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    grant = {"grant_type": "client_credentials"}
    wrong = http.post("/oauth/token", data=grant, auth=(emu.client_id, "wrong"))
    junk = http.post("/oauth/token", data=grant, headers={"Authorization": "basic %%%"})
    for r in (wrong, junk):
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
        # RFC 6749 §5.2: the challenge matches the scheme the client used.
        assert r.headers["www-authenticate"].startswith('Basic realm="')
    # A client that authenticated in the body never used the header: no challenge for it.
    body = token_post(http, emu, grant_type="client_credentials", client_secret="wrong")
    assert body.status_code == 401 and "www-authenticate" not in body.headers
    bearer = http.post(
        "/oauth/token",
        data={**grant, "client_id": emu.client_id, "client_secret": "wrong"},
        headers={"Authorization": "Bearer junk"},
    )
    assert bearer.status_code == 401 and "www-authenticate" not in bearer.headers
    # Other errors are not client authentication failures, so they carry no challenge either.
    ok_client = http.post(
        "/oauth/token", data={"grant_type": "password"}, auth=(emu.client_id, emu.client_secret)
    )
    assert ok_client.status_code == 400 and "www-authenticate" not in ok_client.headers


def test_default_redirect_uris_are_any_local_http_or_https(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator.emulator
    for uri in (
        "http://localhost:3000/auth/callback",
        "https://localhost/auth/callback",
        "https://localhost:8443/auth/callback?x=1",
        "https://127.0.0.1:5000/cb",
    ):
        assert emu.is_redirect_allowed(uri), uri
    for uri in (
        "https://localhost.evil.test/cb",
        "https://127.0.0.1.evil.test/cb",
        "https://evil.test/?localhost",
        "ftp://localhost/cb",
        "https://localhost:99999/cb",
        "https://localhost/cb#fragment",
    ):
        assert not emu.is_redirect_allowed(uri), uri
    https = "https://localhost:8443/auth/callback"
    r = http.get(authorize_url(scalekit_emulator, redirect_uri=https), follow_redirects=False)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]


def test_refresh_rotation_grace_and_revocation(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    first = login(emu, http)
    rt1 = str(first["refresh_token"])
    r = token_post(http, emu, grant_type="refresh_token", refresh_token=rt1)
    assert r.status_code == 200
    rt2 = r.json()["refresh_token"]
    assert rt2 != rt1 and r.json()["id_token"]
    # The old token still works inside the 30 s grace window ...
    assert token_post(http, emu, grant_type="refresh_token", refresh_token=rt1).status_code == 200
    emu.set_clock_offset(31)
    # ... and not after it, while the new one does.
    r = token_post(http, emu, grant_type="refresh_token", refresh_token=rt1)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = token_post(http, emu, grant_type="refresh_token", refresh_token=rt2)
    assert r.status_code == 200
    rt3 = r.json()["refresh_token"]
    assert emu.token_calls("refresh_token") == 4
    sid = jwt.decode(str(first["access_token"]), options={"verify_signature": False})["sid"]
    emu.emulator.revoke_session(sid)
    r = token_post(http, emu, grant_type="refresh_token", refresh_token=rt3)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_no_refresh_token_without_offline_access(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    tokens = login(scalekit_emulator, http, scope="openid profile email")
    assert "refresh_token" not in tokens


def test_session_idle_expiry_ends_refresh(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    tokens = login(emu, http)
    emu.set_clock_offset(24 * 3600 + 1)
    sid = jwt.decode(str(tokens["access_token"]), options={"verify_signature": False})["sid"]
    session = emu.session(sid)
    assert session is not None and session["status"] == "expired" and session["expired_at"]
    r = token_post(
        http, emu, grant_type="refresh_token", refresh_token=str(tokens["refresh_token"])
    )
    assert r.json()["error"] == "invalid_grant"


def test_logout(scalekit_emulator: EmulatorHandle) -> None:
    emu = scalekit_emulator
    with httpx.Client(base_url=emu.url) as browser:
        final = emu.sign_in(authorize_url(emu), client=browser)
        code = query_of(final)["code"]
        tokens = browser.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "client_id": emu.client_id,
                "client_secret": emu.client_secret,
            },
        ).json()
        emu.set_clock_offset(4000)  # an expired id_token_hint is still acceptable
        bad = browser.get(
            "/oidc/logout",
            params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "/relative"},
        )
        assert bad.status_code == 400
        r = browser.get(
            "/oidc/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "http://localhost:3000/bye",
                "state": "s9",
            },
        )
        assert r.status_code == 302
        assert r.headers["location"] == "http://localhost:3000/bye?state=s9"
        emu.set_clock_offset(0)
        sid = jwt.decode(tokens["id_token"], options={"verify_signature": False})["sid"]
        session = emu.session(sid)
        assert session is not None and session["status"] == "logout" and session["logout_at"]
        # The SSO cookie is gone: the next authorize shows the page again.
        again = browser.get(authorize_url(emu), follow_redirects=False)
        assert again.status_code == 200
        refresh = browser.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": emu.client_id,
                "client_secret": emu.client_secret,
            },
        )
        assert refresh.json()["error"] == "invalid_grant"
        page = browser.get("/oidc/logout")
        assert page.status_code == 200 and "Signed out" in page.text


def test_keys_discovery_and_rotation(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    keys = http.get("/keys").json()["keys"]
    assert len(keys) == 1
    assert {keys[0]["kty"], keys[0]["use"], keys[0]["alg"]} == {"RSA", "sig", "RS256"}
    old = emu.mint_access_token()
    new_kid = emu.rotate_keys()
    new = emu.mint_access_token("bob@acme.test")
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    kids = [k["kid"] for k in http.get("/keys").json()["keys"]]
    assert kids[0] == new_kid and len(kids) == 2
    assert decode(http, old, audience=emu.client_id)["sub"] == "usr_alice"
    assert decode(http, new, audience=emu.client_id)["sub"] == "usr_bob"
    emu.remove_key(kids[1])
    assert [k["kid"] for k in http.get("/keys").json()["keys"]] == [new_kid]
    emu.reset()
    assert [k["kid"] for k in http.get("/keys").json()["keys"]] == kids[1:]
    config = http.get("/.well-known/openid-configuration").json()
    assert config["issuer"] == emu.url
    assert config["jwks_uri"] == emu.url + "/keys"
    assert config["end_session_endpoint"] == emu.url + "/oidc/logout"


def test_mint_access_token_overrides(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    token = scalekit_emulator.mint_access_token(roles=["viewer"], exp=None)
    claims = decode(http, token, options={"verify_aud": False, "require": []})
    assert claims["roles"] == ["viewer"] and "exp" not in claims


def test_idp_initiated_login(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    r = http.get(
        "/_emulator/idp-initiated-login",
        params={
            "initiate_login_uri": "http://localhost:3000/auth/initiate",
            "email": "carol@globex.test",
            "relay_state": "rs1",
        },
    )
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith("http://localhost:3000/auth/initiate?idp_initiated_login=")
    token = query_of(location)["idp_initiated_login"]
    claims = decode(http, token, audience=emu.client_id, issuer=emu.url)
    assert claims["organization_id"] == "org_globex"
    assert claims["connection_id"] == "conn_globex_entra"
    assert claims["login_hint"] == "carol@globex.test" and claims["relay_state"] == "rs1"
    assert int(claims["exp"]) - int(claims["iat"]) <= 300  # type: ignore[call-overload]
    bad = http.get(
        "/_emulator/idp-initiated-login", params={"initiate_login_uri": "https://evil.example/x"}
    )
    assert bad.status_code == 400


@pytest.mark.anyio
async def test_async_client_works(scalekit_emulator: EmulatorHandle) -> None:
    async with httpx.AsyncClient(base_url=scalekit_emulator.url) as client:
        r = await client.get("/keys")
    assert r.status_code == 200
