"""The console channel: alerts printed to standard output, for trying things out."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import ClassVar, Literal, TextIO

from daemon.alerts.channels.base import Alert, Channel, ChannelSettings, highlight


class ConsoleSettings(ChannelSettings):
    type: Literal["console"] = "console"
    max_evidence: int = 3


class ConsoleChannel(Channel):
    """Prints each alert as a short block of text."""

    settings: ClassVar[type[ChannelSettings]] = ConsoleSettings

    def __init__(self, name: str, settings: ConsoleSettings, out: TextIO | None = None) -> None:
        super().__init__(name, settings)
        self.max_evidence = settings.max_evidence
        self.out = out or sys.stdout
        self.mark = emphasis(self.out)

    async def send(self, alert: Alert) -> str | None:
        self.out.write(render_text(alert, self.max_evidence, self.mark) + "\n")
        self.out.flush()
        return None

    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        kind = "digest" if digest else "burst"
        lines = [f"--- {kind}: {len(alerts)} alerts ---"]
        lines += [render_text(a, self.max_evidence, self.mark) for a in alerts]
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return None


BOLD = ("\x1b[1m", "\x1b[22m")  # SGR bold on, normal intensity


def emphasis(out: TextIO) -> tuple[str, str]:
    """Bold for the names on a terminal; plain text into a pipe, a file or the journal.

    NO_COLOR (https://no-color.org) and TERM=dumb turn the escapes off on a terminal too.
    """
    isatty = getattr(out, "isatty", None)
    if not (callable(isatty) and isatty()):
        return ("", "")
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return ("", "")
    return BOLD


def render_text(alert: Alert, max_evidence: int, mark: tuple[str, str]) -> str:
    """A plain-text rendering of an alert, names marked in the evidence."""
    h = alert.hit
    actors = " · ".join(f"{a}: {', '.join(n)}" for a, n in alert.actor_names().items())
    if alert.kind == "update":
        return f"  + same story ({h.watch_id}): {h.article_title} {h.article_url}"
    head = "ESCALATION: unusual number of hits for " if alert.kind == "escalation" else ""
    lines = [
        f"[{h.severity}] {head}{h.watch_id}: {h.title}",
        f"  {h.article_title or '(untitled)'}",
        f"  {h.article_url}  ({h.feed_title or h.feed_url}, {h.lang or '?'})",
        f"  {actors}",
    ]
    for ev in h.evidence[:max_evidence]:
        spans = [(m.start, m.end) for m in ev.mentions]
        lines.append("  > " + highlight(ev.text, ev.start, spans, mark).replace("\n", " "))
    if len(h.evidence) > max_evidence:
        lines.append(f"  (+{len(h.evidence) - max_evidence} more)")
    return "\n".join(lines)
