"""Tests for the MQTT door family."""
