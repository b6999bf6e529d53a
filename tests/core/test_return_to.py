"""The post-login destination rules of ``safe_return_to``, one rule per case."""

from __future__ import annotations

import pytest

from scalekit_core.web.return_to import MAX_RETURN_TO_LENGTH, safe_return_to


@pytest.mark.parametrize(
    "value",
    [
        "/https://evil.example",
        "/x/http://evil.example",
        "/%68ttps://evil.example",
        "/a%5Cb",
        "/a%255Cb",
        "/a\\b",
        "/\\evil",
        "/%5Cevil",
        "/%2F%2Fevil",
        "/%252F%252Fevil",
        "/%25252F%25252Fevil",
        "//evil",
        "https://evil.example",
        "evil",
        "/a\x7fb",
        "/a%7Fb",
        "/a\x00b",
        "/a%00b",
        "/a\x1fb",
        "/a%0D%0ALocation:%20//evil",
        "/a\tb",
    ],
)
def test_refused(value: str) -> None:
    assert safe_return_to(value) == "/"
    assert safe_return_to(value, default="/home") == "/home"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("/", "/"),
        ("/reports?year=2024", "/reports?year=2024"),
        # "://" only matters in the path: a query may carry a URL.
        ("/a?next=https://b.example", "/a?next=https://b.example"),
        ("/a?x=http://y?z", "/a?x=http://y?z"),
        ("/a:b@c", "/a:b@c"),
        ("/caf\u00e9 menu", "/caf%C3%A9%20menu"),
        # Three decodings are checked; a literal %25 beyond them is just a path.
        ("/%2525252F%2525252Fevil", "/%2525252F%2525252Fevil"),
        ("/100%25", "/100%25"),
        # Kept as they are, and percent-encoded.
        ("/a?&=:@!$'()*+,;~-._[]#x", "/a?&=:@!$'()*+,;~-._[]#x"),
        ('/a"<>`{}|^ b', "/a%22%3C%3E%60%7B%7D%7C%5E%20b"),
        ("/%41", "/%41"),
    ],
)
def test_kept(value: str, kept: str) -> None:
    assert safe_return_to(value) == kept


@pytest.mark.parametrize("value", [None, 5, b"/x", ["/x"], "", 0.5])
def test_not_a_string(value: object) -> None:
    assert safe_return_to(value) == "/"


def test_the_length_bound_is_inclusive_before_and_after_encoding() -> None:
    assert MAX_RETURN_TO_LENGTH == 512
    longest = "/" + "a" * (MAX_RETURN_TO_LENGTH - 1)
    assert safe_return_to(longest) == longest
    assert safe_return_to(longest + "a") == "/"
    # 1 + 3 * 170 + 1 = 512 once encoded (a space is %20).
    encoded_longest = "/" + " " * 170 + "a"
    assert len(safe_return_to(encoded_longest)) == MAX_RETURN_TO_LENGTH
    assert safe_return_to(encoded_longest + "a") == "/"
