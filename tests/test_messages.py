"""The message catalogue: both languages, same placeholders, every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from planner.messages import CATALOGUE, Ref, default_lang, text
from planner.parse import COLUMNS


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_take_the_same_values(key: str) -> None:
    zh, en = CATALOGUE[key]
    assert fields(zh) == fields(en), key
    # The Chinese text is Chinese: any English word in it is a forgotten translation.
    words = re.sub(r"\{[^}]*\}", "", zh)
    assert re.search(r"[\u4e00-\u9fff]", zh) or zh == en or not re.search("[a-z]{4}", words), key


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("planner").rglob("*.py"))
    used = set(re.findall(r'(?:text|Ref|warn)\(\s*"([a-z_]+)"', source))
    # Problem(file, row, column, code, ...): string literals there are columns or codes.
    used |= set(re.findall(r'Problem\([^)]*?"([a-z_]+)"(?:,|\))', source))
    columns = {c.name for cols in COLUMNS.values() for c in cols}
    used -= columns | {"error", "warning"}
    assert used, "the pattern found nothing: the test would pass vacuously"
    assert used <= set(CATALOGUE), used - set(CATALOGUE)


def test_references_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    assert text("toml_type", "en", expected=Ref("type_number"), value="x") == (
        'should be a number, got "x"'
    )
    assert text("toml_type", "zh", expected=Ref("type_number"), value="x") == "应为数字，实际为“x”"
    monkeypatch.setenv("PLANNER_LANG", "en")
    assert default_lang() == "en"
    monkeypatch.delenv("PLANNER_LANG")
    assert default_lang() == "zh"
