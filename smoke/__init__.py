"""Smoke test of devicehub on the newest Home Assistant release, as a real `hass` process.

It runs in a virtual environment of its own (.venv-newest, from smoke/requirements.lock),
without pytest-homeassistant-custom-component, so it works on a Home Assistant release that
the test plugin does not support yet. `scripts/smoke` runs it; `scripts/bump-newest-ha`
moves the lock to a newer release.
"""
