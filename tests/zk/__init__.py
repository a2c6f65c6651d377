"""Tests of the terminal client layer."""
