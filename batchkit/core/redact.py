"""Keep database credentials out of everything batchkit writes or prints.

A SQL source's URL may hold a password (`user:pw@host`) or a secret query
parameter (`?password=...`). Only `mask_url(url)` is ever recorded (manifest,
findings, messages, run.log); `scrub` removes every form of the secret from
a driver's error text before it becomes a message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
SECRET_KEYS = ("password", "passwd", "pwd", "secret", "token", "access_token", "sslpassword", "sslkey", "api_key")


def _parse(url: str) -> Any:  # sqlalchemy's URL, imported lazily
    from sqlalchemy.engine import make_url

    return make_url(url)


def _secret_key(key: str) -> bool:
    return key.lower() in SECRET_KEYS


def mask_url(url: str) -> str:
    """The URL with its password and secret query parameters replaced by ***."""
    try:
        u = _parse(url)
        token = "batchkitmasked"  # rendering would percent-escape *** in a query string
        query = {k: (token if _secret_key(k) else v) for k, v in u.query.items()}
        shown: str = u.set(query=query).render_as_string(hide_password=True)
        return shown.replace(token, MASK)
    except Exception:  # not a URL SQLAlchemy understands: show nothing of it
        return "<unparseable url>"


def secrets_of(url: str) -> list[str]:
    """Every string that would give the secret away: the URL itself, the password raw and escaped."""
    found = [url]
    try:
        u = _parse(url)
        values = [u.password] if u.password else []
        for k, v in u.query.items():
            if _secret_key(k):
                values.extend([v] if isinstance(v, str) else list(v))
    except Exception:
        return found
    for value in values:
        if value:
            found.extend({str(value), quote(str(value), safe=""), quote_plus(str(value))})
    return sorted(set(found), key=len, reverse=True)  # longest first: the URL before the password inside it


def scrub(text: str, url: str) -> str:
    """`text` with the URL shown masked and any trace of its secrets replaced by ***."""
    shown = mask_url(url)
    for secret in secrets_of(url):
        text = text.replace(secret, shown if secret == url else MASK)
    return text
