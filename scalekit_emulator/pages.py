"""The emulator's HTML: plain, accessible, self-contained, every value escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from .records import User

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
    "button{display:block;width:100%;margin:.4rem 0;padding:.6rem;font-size:1rem}"
    "input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}"
    ".error{color:#a00}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def sign_in_page(
    params: Mapping[str, str], users: Iterable[User], login_hint: str, error: str | None = None
) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items()
    )
    buttons = "".join(
        f'<button type="submit" name="email" value="{escape(u.email)}">'
        f"Sign in as {escape(u.name)} ({escape(u.email)})</button>"
        for u in users
    )
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<h1>Sign in to the Scalekit emulator</h1>"
        "<p>This is a local test environment: no password is needed.</p>"
        f"{error_html}"
        '<form method="post" action="/oauth/authorize">'
        f"{hidden}<fieldset><legend>Seeded users</legend>{buttons}</fieldset></form>"
        '<form method="post" action="/oauth/authorize">'
        f'{hidden}<label for="email">Or any email address</label>'
        f'<input id="email" name="email" type="email" required autocomplete="email" '
        f'value="{escape(login_hint)}">'
        '<button type="submit">Sign in</button></form>'
    )
    return _page("Sign in - Scalekit emulator", body)


def message_page(title: str, message: str) -> str:
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
