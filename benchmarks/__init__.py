"""Benchmarks: corpora and measurements run by invoke tasks (`bench-*`); figures go to benchmarks/results/."""
