"""`make bench`: throughput benchmarks of the real processes on the embedded (or configured) stack.

Run ``python -m benchmarks --help``. Benchmarks report figures; they never assert them, and they
never run as part of ``make test``.
"""
