"""Scalekit single sign-on and sessions for FastAPI and plain Starlette apps.

>>> from fastapi import Depends, FastAPI
>>> from scalekit_fastapi import ScalekitAuth, User
>>> auth = ScalekitAuth.from_env()  # doctest: +SKIP
>>> app = FastAPI(lifespan=auth.lifespan)  # doctest: +SKIP
>>> auth.install(app)  # doctest: +SKIP
"""

from scalekit_core.web import AuthenticationRequired, PermissionDenied, User

from .auth import SCHEME_NAME, ErrorRenderer, ScalekitAuth, UserDependency
from .middleware import STATE_KEY, ScalekitMiddleware, get_machine, get_user
from .translate import apply_cookies, to_response, web_request

__all__ = [
    "SCHEME_NAME",
    "STATE_KEY",
    "AuthenticationRequired",
    "ErrorRenderer",
    "PermissionDenied",
    "ScalekitAuth",
    "ScalekitMiddleware",
    "User",
    "UserDependency",
    "apply_cookies",
    "get_machine",
    "get_user",
    "to_response",
    "web_request",
]
