"""The running daemon: service, loop, systemd, metrics, logs.

May import everything in daemon but the CLI."""
