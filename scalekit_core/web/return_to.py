"""Which post-login destinations are safe: same-site relative paths only (DESIGN §5)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

__all__ = ["MAX_RETURN_TO_LENGTH", "safe_return_to"]

#: The longest destination kept (after percent-encoding), whichever way it was given: the
#: transaction cookie carries it, and several logins in flight must fit in a Cookie header.
MAX_RETURN_TO_LENGTH = 512
#: Characters kept as they are; anything else (non-ASCII, spaces, quotes...) is
#: percent-encoded as UTF-8, so a ``Location`` header is always plain ASCII.
_KEEP = "/?&=%:@!$'()*+,;~-._[]#"
# A path that starts with one "/" followed by something that is not "/" or "\".
_PATH = re.compile(r"^/(?![/\\])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_safe(value: str) -> bool:
    if not _PATH.match(value) or "\\" in value or _CONTROL.search(value):
        return False
    # Browsers and proxies decode before routing: check the decoded forms too, so that
    # "/%2F%2Fevil" and "/%5Cevil" cannot turn into protocol-relative URLs downstream.
    decoded = value
    for _ in range(3):
        decoded = unquote(decoded)
        if decoded.startswith(("//", "/\\")) or "\\" in decoded or _CONTROL.search(decoded):
            return False
    return "://" not in decoded.split("?", 1)[0]


def safe_return_to(value: object, default: str = "/") -> str:
    """``value`` percent-encoded to ASCII when it is a same-site relative path (query
    allowed) of at most ``MAX_RETURN_TO_LENGTH`` characters, else ``default``.

    >>> safe_return_to("/reports?year=2024"), safe_return_to("/caf\u00e9 menu")
    ('/reports?year=2024', '/caf%C3%A9%20menu')
    >>> safe_return_to("//evil.example"), safe_return_to("/\\\\evil"), safe_return_to("https://x")
    ('/', '/', '/')
    """
    if not isinstance(value, str) or not value or len(value) > MAX_RETURN_TO_LENGTH:
        return default
    if not _is_safe(value):
        return default
    encoded = quote(value, safe=_KEEP)
    return encoded if len(encoded) <= MAX_RETURN_TO_LENGTH and _is_safe(encoded) else default
