"""Alerting: channels, stories and digests, secrets, and the delivery worker.

The lowest layer of daemon/: imports only daemon.errors, store and rules."""
