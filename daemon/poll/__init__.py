"""Polling: fetch, parse, match and record one feed; cadence, dispatch and health.

May import daemon.alerts, daemon.errors, store and rules; never config, runtime or cli.
"""
