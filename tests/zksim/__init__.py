"""Tests of the ZKTeco terminal simulator, driven by unmodified pyzk 0.9."""
