"""Every language has every string of en.json, no other, with the same placeholders.

Run alone: .venv/bin/python -m pytest tests/test_translations.py
"""

import json
from pathlib import Path
import re
from typing import Any

import pytest

TRANSLATIONS = (
    Path(__file__).resolve().parents[1] / "custom_components" / "devicehub" / "translations"
)
LANGUAGES = ("es", "zh-Hans")  # besides English, the source
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Strings that read the same in a translation may stay as in English.
SAME_AS_ENGLISH = {"es": {"{name}", "Host", "Terminal"}, "zh-Hans": {"{name}"}}


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": "text"}}` -> `{"a.b": "text"}`; non-dict leaves kept as they are."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def load(language: str) -> dict[str, Any]:
    """A translation file, flattened."""
    path = TRANSLATIONS / f"{language}.json"
    return flatten(json.loads(path.read_text(encoding="utf-8")))


def placeholders(text: str) -> set[str]:
    """The `{placeholder}` names in a string."""
    return set(PLACEHOLDER.findall(text))


def problems(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """What is wrong with a translation compared to English; empty when nothing."""
    found = [f"missing: {key}" for key in sorted(english.keys() - other.keys())]
    found += [f"not in en.json: {key}" for key in sorted(other.keys() - english.keys())]
    for key in sorted(english.keys() & other.keys()):
        source, text = english[key], other[key]
        if not isinstance(text, str) or not text.strip():
            found.append(f"not a text: {key}")
            continue
        if text != text.strip():
            found.append(f"leading or trailing spaces: {key}")
        if "<" in text and ">" in text:
            found.append(f"HTML: {key}")
        if placeholders(text) != placeholders(source):
            found.append(
                f"placeholders of {key}: {sorted(placeholders(text))}"
                f" instead of {sorted(placeholders(source))}"
            )
    return found


def test_the_languages_shipped() -> None:
    assert sorted(path.stem for path in TRANSLATIONS.glob("*.json")) == sorted(("en", *LANGUAGES))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_matches_english(language: str) -> None:
    assert problems(load("en"), load(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_is_translated(language: str) -> None:
    """Not English copied over: only names and codes may stay the same."""
    english, other = load("en"), load(language)
    untranslated = sorted(
        key
        for key, text in english.items()
        if other.get(key) == text and text not in SAME_AS_ENGLISH[language]
    )
    assert untranslated == []


def test_english_placeholders_are_plain_names() -> None:
    """Home Assistant only fills `{name}`-style placeholders (no quotes, no expressions)."""
    bad = sorted(
        f"{key}: {{{name}}}"
        for key, text in load("en").items()
        for name in placeholders(text)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name)
    )
    assert bad == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.pop("config.step.user.title"), ["missing: config.step.user.title"]),
        (
            lambda t: t.update({"config.step.user.extra": "Extra"}),
            ["not in en.json: config.step.user.extra"],
        ),
        (
            lambda t: t.update({"config.flow_title": "{nombre}"}),
            ["placeholders of config.flow_title: ['nombre'] instead of ['name']"],
        ),
        (
            lambda t: t.update({"config.step.user.title": " Añadir"}),
            ["leading or trailing spaces: config.step.user.title"],
        ),
        (
            lambda t: t.update({"config.step.user.title": ""}),
            ["not a text: config.step.user.title"],
        ),
    ],
    ids=["missing key", "extra key", "renamed placeholder", "spaces", "empty"],
)
def test_the_check_finds_broken_translations(change: Any, expected: list[str]) -> None:
    """The comparison above can fail: a broken copy of Spanish is reported."""
    spanish = load("es")
    assert problems(load("en"), spanish) == []
    change(spanish)
    assert problems(load("en"), spanish) == expected
