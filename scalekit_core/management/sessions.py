"""Session flows: read a session, list a user's sessions, revoke one or all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..flows import Flow
from .models import RevokedSessions, Session, SessionsPage
from .organizations import page_query
from .values import SessionFilter
from .wire import api_request, json_object, path_segment

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "get_session_flow",
    "get_user_sessions_flow",
    "revoke_all_user_sessions_flow",
    "revoke_session_flow",
]

# The revoke POSTs are safe to repeat, so the drivers may retry them: revoking a session
# that is already revoked changes nothing (Scalekit answers with the session as it is), and
# "revoke all" converges on the same end state (no active session left). They create nothing.
_REVOKE_IS_REPEATABLE = True


def get_session_flow(ctx: ClientContext, session_id: str) -> Flow[Session]:
    """``GET /sessions/{id}`` (the answer is the session itself, not wrapped)."""
    response = yield api_request(ctx, "GET", "/sessions/" + path_segment(session_id, "session_id"))
    return Session.from_json(json_object(response))


def get_user_sessions_flow(
    ctx: ClientContext,
    user_id: str,
    page_size: int | None = None,
    page_token: str | None = None,
    filter: SessionFilter | None = None,
) -> Flow[SessionsPage]:
    query = page_query(page_size, page_token)
    if filter is not None:
        query += filter.to_query()
    path = "/users/" + path_segment(user_id, "user_id") + "/sessions"
    response = yield api_request(ctx, "GET", path, query=query)
    return SessionsPage.from_json(json_object(response))


def revoke_session_flow(ctx: ClientContext, session_id: str) -> Flow[Session]:
    path = "/sessions/" + path_segment(session_id, "session_id") + "/revoke"
    response = yield api_request(ctx, "POST", path, idempotent=_REVOKE_IS_REPEATABLE)
    return Session.from_json(json_object(response, "revoked_session"))


def revoke_all_user_sessions_flow(ctx: ClientContext, user_id: str) -> Flow[RevokedSessions]:
    path = "/users/" + path_segment(user_id, "user_id") + "/sessions/revoke"
    response = yield api_request(ctx, "POST", path, idempotent=_REVOKE_IS_REPEATABLE)
    return RevokedSessions.from_json(json_object(response))
