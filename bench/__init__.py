"""Benchmarks (not tests): `python bench/run.py` prints figures and writes bench/results/."""
