"""The analyst notebook and the docs example run on the bundled synthetic log (never stale)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def test_replay_notebook_runs() -> None:
    notebook = nbformat.read(REPO / "notebooks" / "replay.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(str(o.get("text", "")) for o in outputs)
    # The log's three bad rows were reported, and the calibration patch was printed.
    assert "1377 rows, 1374 used, 3 skipped, 1374 IDs hashed" in text
    assert "[flow]\nservice_s = " in text


def test_docs_example_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (REPO / "docs" / "replay.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    monkeypatch.chdir(REPO)
    for block in blocks:
        exec(compile(block, "docs/replay.md", "exec"), {"__name__": "__doc_example__"})
    out = capsys.readouterr().out
    assert out.startswith("3 rows skipped; [flow]\nservice_s = ")
