"""Benchmarks: `make bench` runs every `tests/bench/bench_*.py` module's `main()`.

Each module prints its own report (medians, and ratios against a baseline
measured in the same run). Benchmarks never assert timings.
"""
