"""The watch-rule language: actors, watches, matching articles against them.

Pure: no network, no database, no clock, no environment. Must not import
`store` or `daemon`.
"""
