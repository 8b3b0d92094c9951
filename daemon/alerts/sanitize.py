"""One sanitiser for every text that leaves wirewatch, per target.

Feed content is written by whoever controls a feed. Before it reaches a
person it passes through here, once per target:

- `plain`: any target. Control characters (C0 but tab/newline, DEL, C1),
  whole escape sequences (CSI, OSC, DCS, ...) and bidi overrides removed;
  NULs gone. `line` is the one-line form (titles, URLs, headers).
- `terminal`: what a terminal may show (console channel, `wirewatch hits`,
  `status`, `match`, `feeds`): `plain`, cut without leaving anything open.
- `header`: an email header value: one line, no CR/LF, bounded.
- `slack`: Slack mrkdwn and top-level `text`: &, <, > escaped, no
  <!channel>/<!here>/<!everyone>/<@U…> mention, and @channel/@here/@everyone
  defused; `slack_link` only for http(s) URLs, with `|` and `>` encoded;
  `slack_cut` never leaves a link or an entity open.
- `defuse`: the same characters replaced one for one (U+FFFD), for evidence
  text whose offsets must not move.
- `redact_url`: a URL's user:password replaced by ***.

Imports nothing of wirewatch: the CLI, the channels and the logs use it alike.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit, urlunsplit

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] ... BEL or
# ST), and two-character escapes. 8-bit C1 introducers are dropped as single controls
# (not read as sequences: mis-decoded text is full of them).
_SEQUENCE = re.compile(
    r"\x1b\[[\x20-\x3f]*[\x40-\x7e]?"  # CSI with parameters and final byte
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # any other escape: ESC, intermediates, final
)
# Controls but tab and newline; DEL; C1; bidi embeddings, overrides and isolates;
# line/paragraph separators (a newline to some terminals and log readers).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_NEWLINES = re.compile(r"[\r\n\t]+")
_MENTION_WORD = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"
ELLIPSIS = "…"


def plain(text: str | None) -> str:
    """`text` without escape sequences, control characters (but tab, newline) or bidi."""
    if not text:
        return ""
    return _CONTROL.sub("", _SEQUENCE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def line(text: str | None) -> str:
    """`plain` on one line: newlines and tabs become single spaces."""
    return _NEWLINES.sub(" ", plain(text)).strip()


def defuse(text: str) -> str:
    """Every character `plain` would drop replaced by U+FFFD: the length stays the same."""
    text = _SEQUENCE.sub(lambda m: "\ufffd" * len(m.group()), text)
    return _CONTROL.sub("\ufffd", text.replace("\r", "\ufffd"))


def cut(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def terminal(text: str | None, limit: int | None = None, *, one_line: bool = False) -> str:
    """Text safe to print on a terminal; cut to `limit` after cleaning (no open sequence)."""
    clean = line(text) if one_line else plain(text)
    return cut(clean, limit) if limit is not None else clean


def header(text: str | None, limit: int = 250) -> str:
    """An email header value: one line, no CR/LF or other control, at most `limit`."""
    return cut(line(text), limit)


def slack(text: str | None) -> str:
    """Text safe inside Slack mrkdwn or a message's `text`: no markup, no mention, one line
    (spaces at the ends kept: pieces of a passage are escaped one by one)."""
    one = _NEWLINES.sub(" ", plain(text))
    escaped = one.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return no_mentions(escaped)


def slack_plain(text: str | None) -> str:
    """Text for a Slack plain_text field: one line, @channel/@here/@everyone defused."""
    return no_mentions(line(text))


def no_mentions(text: str) -> str:
    """@channel, @here and @everyone defused (a word joiner after the @): for services
    that turn them into notifications of everyone (Slack, Discord, Mattermost, …)."""
    return _MENTION_WORD.sub(lambda m: f"@{WORD_JOINER}{m.group(1)}", text)


def web_url(url: str | None) -> str:
    """`url` on one line if it is an http(s) URL, else "" (no javascript:, data:, file:)."""
    clean = line(url)
    return clean if is_web_url(clean) else ""


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def slack_link(url: str | None, label: str) -> str:
    """A Slack link `<url|label>` for an http(s) URL; else the label alone (`label` is
    already escaped)."""
    url = line(url)
    if not url or not is_web_url(url):
        return label
    for raw, enc in (("|", "%7C"), (">", "%3E"), ("<", "%3C"), (" ", "%20")):
        url = url.replace(raw, enc)
    url = url.replace("&", "&amp;")
    return f"<{url}|{label}>"


_OPEN_LINK = re.compile(r"<[^>]*$")
_OPEN_ENTITY = re.compile(r"&[#a-zA-Z0-9]*$")


def slack_cut(text: str, limit: int) -> str:
    """Slack mrkdwn cut to `limit` characters, never inside a link or an entity."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    head = _OPEN_LINK.sub("", head)
    head = _OPEN_ENTITY.sub("", head)
    return head + ELLIPSIS


def redact_url(url: str | None) -> str:
    """`url` with any user:password replaced by ***."""
    if not url:
        return url or ""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return _CREDENTIALS.sub(r"\1***@", url)
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


_CREDENTIALS = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


_LOG_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def log_line(text: str) -> str:
    """A log message on one line: newlines and controls shown escaped (\\n, \\x1b), so
    text from a feed can neither forge a line nor reach a terminal; credentials redacted."""
    escaped = _LOG_UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return redact_urls(escaped)


def json_text(value: object, indent: int | None = None) -> str:
    """JSON for a terminal or a program: non-ASCII text kept readable, but C1 controls,
    bidi overrides and line separators written as \\u escapes (json escapes C0 itself)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# What json.dumps leaves raw inside strings (it escapes C0 itself; the layout's own
# newlines must stay).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def redact_urls(text: str) -> str:
    """Every URL's credentials in free text (a log line) replaced by ***."""
    return _CREDENTIALS.sub(r"\1***@", text)
