"""Access to the real samples in tests/fixtures/adms (see its README for sources)."""

from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "adms"


def sample(name: str) -> bytes:
    """The bytes of one sample file."""
    return (FIXTURES / name).read_bytes()
