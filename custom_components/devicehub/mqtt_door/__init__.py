"""The MQTT door contract as pure code: topics, payload schemas and parsing.

No Home Assistant imports and no I/O, so the contract is tested on its own (tests/door/
test_contract.py). The simulated door in tools/mqttdoor follows the same contract from its
own code, so a mistake here does not hide behind a shared one.
"""
