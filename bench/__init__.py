"""The benchmark suite: synthetic data at scale, the SPEC's operations, each beside its floor.

Run `python -m bench --scale small|full` from the repository root (see docs/benchmarks.md).
"""
