"""Tests of the benchmark runner's pure pieces (no timing: benchmarks live in bench/)."""
