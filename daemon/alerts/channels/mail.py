"""The email channel: multipart HTML + text over SMTP (STARTTLS, implicit TLS or plain).

Bodies come from Jinja2 templates (alert.txt.j2, alert.html.j2, digest.*.j2
shipped in daemon/alerts/channels/templates/); a `template_dir` holding any of these
names overrides the shipped one. Message-ID is derived from the alert id, so
a retried alert has the same Message-ID, and a later article of a story
refers to the first alert's mail (In-Reply-To) so mail clients thread them.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import ClassVar, Literal

import jinja2
from markupsafe import Markup, escape
from pydantic import Field

from daemon.alerts.channels.base import Alert, Channel, ChannelSettings, batch_id, highlight
from daemon.alerts.sanitize import header
from daemon.alerts.secrets import Secret, resolve_from
from daemon.errors import AlertError
from rules.model import Evidence

SMTP_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class EmailSettings(ChannelSettings):
    type: Literal["email"] = "email"
    host: str = Field(description="SMTP server")
    port: int | None = Field(None, description="Default: 587 starttls, 465 tls, 25 none")
    security: Literal["starttls", "tls", "none"] = Field("starttls", description="Transport")
    username: str | None = Field(None, description="SMTP user (AUTH when set)")
    password: str | None = Field(None, description="SMTP password (prefer password_env)")
    password_env: str | None = Field(None, description="Env var holding the password")
    password_file: str | None = Field(None, description="File holding the password")
    from_addr: str = Field(alias="from", description="Sender address")
    to: list[str] = Field(min_length=1, description="Recipients")
    list_id: str | None = Field(None, description="List-Id (default: <NAME.wirewatch.invalid>)")
    subject_prefix: str = Field("[wirewatch]", description="Put before every subject")
    template_dir: str | None = Field(None, description="Folder of templates overriding ours")
    ca_file: str | None = Field(None, description="CA bundle to trust (e.g. a private CA)")
    timeout_s: float = Field(30.0, gt=0, description="Time one SMTP session may take")


def marked(ev: Evidence, left: str, right: str) -> str:
    """An evidence passage with the matched names between `left` and `right`."""
    return highlight(ev.text, ev.start, [(m.start, m.end) for m in ev.mentions], (left, right))


def marked_html(ev: Evidence) -> Markup:
    """An evidence passage, HTML-escaped, with the matched names in <b>."""
    spans = sorted((m.start - ev.start, m.end - ev.start) for m in ev.mentions)
    out, pos = Markup(""), 0
    for s, e in spans:
        if s < pos or s < 0 or e > len(ev.text):
            continue
        out += escape(ev.text[pos:s]) + Markup("<b>") + escape(ev.text[s:e]) + Markup("</b>")
        pos = e
    return out + escape(ev.text[pos:])


def outlet(alert: Alert) -> str:
    h = alert.hit
    return f"{h.feed_title or h.feed_url}, {h.lang or '?'}"


def templates(template_dir: str | None) -> tuple[jinja2.Environment, jinja2.Environment]:
    """(text, html) environments: the user's folder first, then the shipped templates."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.PackageLoader("daemon.alerts.channels", "templates"))
    envs = []
    for html in (False, True):
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=html,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        env.globals.update(marked=marked, marked_html=marked_html, outlet=outlet)
        envs.append(env)
    return envs[0], envs[1]


class EmailChannel(Channel):
    """Sends one mail per alert (or per digest) to the configured recipients."""

    settings: ClassVar[type[ChannelSettings]] = EmailSettings

    def __init__(
        self,
        name: str,
        settings: EmailSettings,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name, settings)
        self.s = settings
        self.port = settings.port or SMTP_PORTS[settings.security]
        self.password: Secret | None = resolve_from(
            name, settings, "password", required=bool(settings.username)
        )
        self.list_id = settings.list_id or f"wirewatch alerts <{name}.wirewatch.invalid>"
        self.text_env, self.html_env = templates(settings.template_dir)
        self.now = now

    def render(self, alerts: Sequence[Alert], *, digest: bool) -> EmailMessage:
        """The message for one alert, or a digest of several."""
        name = "digest" if digest or len(alerts) > 1 else "alert"
        ctx = {"alerts": alerts, "alert": alerts[0]}
        text = self.text_env.get_template(f"{name}.txt.j2").render(ctx)
        html = self.html_env.get_template(f"{name}.html.j2").render(ctx)
        msg = EmailMessage()
        first = alerts[0]
        msg_id = first.id if name == "alert" else batch_id(alerts)
        if name == "digest":
            subject = f"digest: {len(alerts)} alerts"
        else:
            lead = {"update": "same story: ", "escalation": "ESCALATION: "}.get(first.kind, "")
            subject = f"{lead}[{first.hit.severity}] {first.hit.title}: {first.hit.article_title}"
        msg["Subject"] = header(f"{self.s.subject_prefix} {subject}", 250)
        msg["From"] = self.s.from_addr
        msg["To"] = ", ".join(self.s.to)
        msg["Date"] = format_datetime(self.now())
        msg["Message-ID"] = f"<{msg_id}@wirewatch.invalid>"
        msg["List-Id"] = self.list_id
        if name == "alert" and first.parent_id:
            msg["In-Reply-To"] = msg["References"] = f"<{first.parent_id}@wirewatch.invalid>"
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
        return msg

    async def send(self, alert: Alert) -> str | None:
        await asyncio.to_thread(self._deliver, self.render([alert], digest=False))
        return None

    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        await asyncio.to_thread(self._deliver, self.render(alerts, digest=True))
        return None

    def _deliver(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context(cafile=self.s.ca_file)
        try:
            if self.s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.s.host, self.port, timeout=self.s.timeout_s, context=context
                )
            else:
                smtp = smtplib.SMTP(self.s.host, self.port, timeout=self.s.timeout_s)
            with smtp:
                if self.s.security == "starttls":
                    smtp.starttls(context=context)
                if self.s.username and self.password:
                    smtp.login(self.s.username, self.password.reveal())
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            retry = any(400 <= c < 500 for c in codes)
            raise AlertError(self.name, f"SMTP recipients refused {codes}", retry=retry) from e
        except smtplib.SMTPResponseException as e:
            # 4xx: try again later; 5xx (bad auth, refused sender or message): final.
            retry = 400 <= e.smtp_code < 500
            raise AlertError(self.name, f"SMTP {e.smtp_code}", retry=retry) from e
        except (smtplib.SMTPException, OSError) as e:
            raise AlertError(self.name, f"SMTP {type(e).__name__}") from e
