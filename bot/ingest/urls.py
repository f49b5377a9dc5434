"""URL hygiene: which URLs may be fetched, and the normalized form used as a dedup key.

Normalizing removes what never changes the article a URL points to (tracking parameters,
the fragment, a default port, letter case of the scheme and host) and nothing else: query
parameters that could select a different article are kept, in their order.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.errors import IngestError

SCHEMES = frozenset({"http", "https"})
MAX_URL_CHARS = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that only say who sent the reader; they never pick another article.
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "cmpid", "ocid", "ncid",
        "sr_share", "smid", "soc_src", "soc_trk", "ito", "at_medium", "at_campaign",
        "guccounter", "guce_referrer", "guce_referrer_sig", "__twitter_impression",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "oly_", "vero_")
# Control, invisible and bidi characters end a URL in a message (they are never part of one).
_NOT_IN_URL = "\\s<>\"'`\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
_URL_IN_TEXT = re.compile(f"https?://[^{_NOT_IN_URL}]+", re.IGNORECASE)
_BAD_CHAR = re.compile(f"[{_NOT_IN_URL}]")
_TRAILING = ".,;:!?)]}»”’'\""


def check_url(url: str) -> str:
    """The URL stripped, if it may be fetched at all (http/https with a host); else IngestError.

    Addresses are checked later, when the host is resolved (see `bot.ingest.safety`).
    """
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise IngestError(f"URL longer than {MAX_URL_CHARS} characters")
    if _BAD_CHAR.search(url):
        raise IngestError("malformed URL (spaces or control characters)")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        raise IngestError("malformed URL") from None
    if parts.scheme.lower() not in SCHEMES:
        raise IngestError(f"only http and https URLs can be fetched, not {parts.scheme or '?'!r}")
    if not host:
        raise IngestError("URL has no host")
    if parts.username or parts.password:
        raise IngestError("URLs with a user name or password are refused")
    return url


def normalize_url(url: str) -> str:
    """The dedup key of a URL: lower-case scheme and host, no default port, fragment or trackers."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    netloc = shown if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{shown}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _tracking(name: str) -> bool:
    """Whether a query parameter only tracks the visit."""
    lowered = name.lower()
    return lowered in _TRACKING or lowered.startswith(_TRACKING_PREFIXES)


def site_of(url: str) -> str:
    """The site a URL belongs to: its host, lower-case, without "www."."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def resolve(base: str, link: str) -> str:
    """A possibly relative link made absolute against the page it appeared on."""
    return urljoin(base, link.strip())


def is_root(url: str) -> bool:
    """Whether the URL is a site's home page (useless as an article's canonical URL)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def find_url(text: str) -> str | None:
    """The first http(s) URL in a message, without the punctuation that ends a sentence."""
    match = _URL_IN_TEXT.search(text)
    return match.group(0).rstrip(_TRAILING) if match else None
