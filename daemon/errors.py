"""Errors of the runtime."""

from __future__ import annotations


class DaemonError(Exception):
    """Base of every error the daemon raises."""


class FetchError(DaemonError):
    """A feed could not be fetched; `error_class` says what kind of failure."""

    def __init__(
        self,
        url: str,
        error_class: str,
        reason: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(f"{url}: {error_class}: {reason}")
        self.url = url
        self.error_class = error_class
        self.reason = reason
        self.status = status  # the HTTP status, when the server answered with an error
        self.retry_after_s = retry_after_s  # the server's Retry-After, in seconds


class AlertError(DaemonError):
    """A channel failed to deliver; `retry` says whether trying again may help."""

    def __init__(
        self, channel: str, reason: str, *, retry: bool = True, retry_after_s: float | None = None
    ) -> None:
        super().__init__(f"channel {channel}: {reason}")
        self.channel = channel
        self.reason = reason
        self.retry = retry
        self.retry_after_s = retry_after_s
