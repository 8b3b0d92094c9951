"""The email channel against aiosmtpd on loopback: refused then accepted, STARTTLS + AUTH."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from daemon.alerts.channels.base import Alert
from daemon.alerts.channels.mail import EmailChannel, EmailSettings
from daemon.alerts.worker import deliver_due
from store import Planned, open_store
from tests.support.alerts import article, hit, quick, record
from tests.support.clock import Clock
from tests.support.net import free_port

pytestmark = pytest.mark.anyio


class Inbox:
    """An aiosmtpd handler: refuses the first `refuse` messages with 451, keeps the rest."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def auth(self, server, session, envelope, mechanism, data) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret-pw")


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def settings(port: int, **extra: object) -> EmailSettings:
    base = {
        "host": "127.0.0.1",
        "port": port,
        "from": "wirewatch@example.org",
        "to": ["desk@example.org"],
        "security": "none",
    }
    return EmailSettings.model_validate({**base, **extra})


async def test_refused_then_accepted_with_html_and_text_as_rendered(tmp_path: Path) -> None:
    inbox = Inbox(refuse=1)
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        store = open_store(tmp_path / "w.db")
        record(store, 1, ["mail"])
        a = article(1, title="Zweiter Bericht")
        store.record_planned(a, [(hit(a.id), [Planned("mail", "update", 1)])], Clock()())
        ch = EmailChannel("mail", settings(port), now=Clock())
        clock = Clock()
        assert await deliver_due(store, {"mail": ch}, clock, policy=quick(0, 5)) == 0
        clock.tick(seconds=5)
        assert await deliver_due(store, {"mail": ch}, clock, policy=quick(0, 5)) == 2
    finally:
        server.stop()
    first, update = inbox.messages
    job = store.outbox(status="sent")[-1]
    expected = ch.render([Alert.from_job(job)], digest=False)
    assert first["Message-ID"] == f"<{job.idempotency_key}@wirewatch.invalid>"
    assert first["List-Id"] == "wirewatch alerts <mail.wirewatch.invalid>"
    assert first["Date"] == "Sun, 01 Mar 2026 12:00:00 +0000"
    assert first["Subject"] == "[wirewatch] [high] Russia and North Korea together: Artikel 0"
    # SMTP carries CRLF line ends
    text = first.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = first.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == expected.get_body(("plain",)).get_content()
    assert html == expected.get_body(("html",)).get_content()
    assert "> Der *Kreml* & *Pjöngjang* <vertiefen> die Zusammenarbeit" in text
    assert "Der <b>Kreml</b> &amp; <b>Pjöngjang</b> &lt;vertiefen&gt;" in html
    assert '<a href="https://news.example.org/0">Artikel 0</a>' in html
    assert update["In-Reply-To"] == first["Message-ID"]
    assert update["Subject"].startswith("[wirewatch] same story: ")


@pytest.mark.parametrize("security", ["starttls", "tls"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_starttls_or_implicit_tls_and_auth_with_a_password_file(
    tmp_path: Path, security: str
) -> None:
    cert, key = self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    tls = (
        {"tls_context": ctx, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": ctx}
    )
    server = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.auth,
        auth_required=True,
        # aiosmtpd counts only STARTTLS as TLS; with implicit TLS all of it is encrypted
        auth_require_tls=security == "starttls",
        **tls,
    )
    server.start()
    (tmp_path / "pw").write_text("s3cret-pw\n")
    try:
        ch = EmailChannel(
            "mail",
            settings(
                port,
                security=security,
                username="wire",
                password_file=str(tmp_path / "pw"),
                ca_file=str(cert),
            ),
        )
        store = open_store(tmp_path / "w.db")
        record(store, 2, ["mail"])
        assert await deliver_due(store, {"mail": ch}, Clock()) == 2
    finally:
        server.stop()
    assert inbox.logins[0] == (b"wire", b"s3cret-pw")
    assert len(inbox.messages) == 2


async def test_a_template_dir_overrides_the_shipped_text(tmp_path: Path) -> None:
    (tmp_path / "alert.txt.j2").write_text(
        "Alert {{ alert.hit.watch_id }}: {{ alert.hit.article_url }}\n"
    )
    ch = EmailChannel("mail", settings(25, template_dir=str(tmp_path)))
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["mail"])
    msg = ch.render([Alert.from_job(store.outbox()[0])], digest=False)
    assert msg.get_body(("plain",)).get_content() == (
        "Alert russia-north-korea: https://news.example.org/0\n"
    )
    assert "<b>Kreml</b>" in msg.get_body(("html",)).get_content()  # the shipped HTML
