"""A standards-compliant third-party OpenID provider (``oidc-provider-mock``, Authlib-based)
laid out at Scalekit's paths, served over real HTTP in a background thread."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from werkzeug.serving import make_server

# Scalekit's fixed paths -> the provider's own.
SCALEKIT_LAYOUT = {
    "/oauth/authorize": "/oauth2/authorize",
    "/oauth/token": "/oauth2/token",
    "/keys": "/jwks",
    "/oidc/logout": "/oauth2/end_session",
}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _at_scalekit_paths(app: WSGIApp) -> WSGIApp:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        environ["PATH_INFO"] = SCALEKIT_LAYOUT.get(path, path)
        return app(environ, start_response)

    return wrapped


@contextmanager
def third_party_provider() -> Iterator[str]:
    """The provider's base URL (its issuer). Any client id and secret are accepted."""
    with warnings.catch_warnings():
        # The provider's own import of a deprecated Authlib module; nothing of ours. Authlib
        # installs an "always" filter when first imported, so it is imported before ours.
        import authlib.deprecate  # noqa: F401

        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

        app = oidc_provider_mock.app(require_nonce=True)
    server = make_server("127.0.0.1", 0, _at_scalekit_paths(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sign_in(authorize_url: str, subject: str) -> str:
    """The browser's part: submit the provider's authorization form; the callback URL."""
    response = httpx.post(authorize_url, data={"sub": subject})
    assert response.status_code in (302, 303), response.text[:300]
    return response.headers["location"]
