"""What the tests share, in one place.

- `clock`: `Clock`, a clock that moves only when told, and `T0`.
- `net`: `free_port()` on 127.0.0.1.
- `feeds`: `rss()` and `Item`, an RSS document built from items.
- `servers`: `RecordingServer`, a real HTTP server on loopback with routes.
- `pg`: a PostgreSQL schema per test on the server `make test` starts.
- `cli`: `wirewatch()`, the real command in a subprocess.
- `alerts`: stored hits and quiet retry policies for the alert tests.
- `service`: a real `wirewatch run` daemon process and its files.
- `slackpeer`: a Slack Web API peer on loopback.

The `anyio_backend` fixture lives in tests/conftest.py, for every test.
"""
