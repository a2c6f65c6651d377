"""Reliability and security tests: faults survived, bad input refused, nothing lost."""
