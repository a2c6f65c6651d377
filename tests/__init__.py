"""Tests for devicehub."""
