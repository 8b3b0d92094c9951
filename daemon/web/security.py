"""Who may use the console and how its pages defend themselves.

- Authentication: a credential file holds either a token or a password hash
  (`pbkdf2_sha256$ITERATIONS$SALT_HEX$HASH_HEX`); requests carry it as HTTP Basic
  (any user name) or `Authorization: Bearer`. Compared in constant time.
- On a non-loopback address the console refuses to start without one.
- Every write is a POST carrying the CSRF token of the `ww_csrf` cookie
  (double submit, compared in constant time) from our own origin.
- Every response carries a strict Content-Security-Policy: scripts and styles
  only from /static, nothing inline, no frames.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from daemon.errors import DaemonError

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # our own POSTs carry Origin and Referer
    "X-Frame-Options": "DENY",
}
CSRF_COOKIE = "ww_csrf"
PBKDF2 = "pbkdf2_sha256"


class ConsoleAuthError(DaemonError):
    """The console cannot start safely as configured."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")


def hash_password(password: str, iterations: int = 600_000) -> str:
    """A PBKDF2-SHA256 hash line for a credential file."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{PBKDF2}${iterations}${salt.hex()}${digest.hex()}"


@dataclass(frozen=True, slots=True)
class Credential:
    """A token, or a password hash, from a credential file."""

    token: str | None = None
    pbkdf2: tuple[int, bytes, bytes] | None = None  # iterations, salt, digest

    @classmethod
    def load(cls, path: Path) -> Credential:
        """Read a credential file (its first non-empty line)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise ConsoleAuthError(str(path), f"cannot read the credential file: {e}") from e
        line = next((x.strip() for x in text.splitlines() if x.strip()), "")
        if line.startswith(PBKDF2 + "$"):
            try:
                _, n, salt, digest = line.split("$")
                return cls(pbkdf2=(int(n), bytes.fromhex(salt), bytes.fromhex(digest)))
            except ValueError as e:
                raise ConsoleAuthError(str(path), "malformed pbkdf2_sha256 hash") from e
        if len(line) < 16:
            raise ConsoleAuthError(str(path), "a token must be at least 16 characters")
        return cls(token=line)

    def accepts(self, secret: str) -> bool:
        """Whether `secret` is the token or the password (constant time)."""
        if self.token is not None:
            return hmac.compare_digest(secret.encode(), self.token.encode())
        assert self.pbkdf2 is not None
        n, salt, digest = self.pbkdf2
        return hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, n), digest)


def presented_secret(authorization: str | None) -> str | None:
    """The secret of a Basic (password) or Bearer Authorization header."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


def is_loopback(host: str) -> bool:
    """Whether a listen host is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_auth_off_loopback(host: str, credential: Credential | None, where: str) -> None:
    """Refuse a console on a non-loopback address without a credential."""
    if credential is None and not is_loopback(host):
        raise ConsoleAuthError(
            where,
            f"the console would listen on {host}, which is not loopback, without "
            "authentication: set http.auth_file (a token or a password hash; see "
            "docs/console.md), or listen on 127.0.0.1 behind a reverse proxy",
        )


def new_csrf_token() -> str:
    """A fresh CSRF token."""
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, presented: str | None) -> bool:
    """Whether the presented token is the cookie's (constant time)."""
    if not cookie or not presented:
        return False
    return hmac.compare_digest(cookie.encode(), presented.encode())
