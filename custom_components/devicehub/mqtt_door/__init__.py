"""The MQTT door contract as pure code: topics, payload schemas and parsing.

No Home Assistant imports and no I/O, so the contract can be tested and reused
(by the simulated door, for one) on its own.
"""
