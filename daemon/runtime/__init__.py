"""The running daemon: service, loop, jobs, reloads, systemd, metrics, logs.

May import everything in daemon but the CLI."""
