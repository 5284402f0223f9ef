"""The Python examples in the docs run as written (so they never go stale)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import REPO

# Documents whose ```python blocks are runnable examples (others may show fragments).
DOCS = ["README.md", "docs/solver.md"]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("doc", DOCS)
def test_examples_run(doc: str, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(REPO / doc)
    assert blocks, f"{doc} has no python example"
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        for block in blocks:
            exec(compile(block, doc, "exec"), {"__name__": "__doc_example__"})
    finally:
        os.chdir(cwd)
