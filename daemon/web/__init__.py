"""The web console: a Starlette app over the store (daemon/web/app.py), served by the
daemon on its `http:` listener and by `wirewatch web`.

May import daemon.config, daemon.poll, daemon.alerts, store and rules; never
daemon.runtime or daemon.cli (they serve it and start it).
"""
