"""Problems found in user input, and the exception that carries them.

A problem names where it is (file, spreadsheet row, column) and what is wrong as a catalogue key
with values, so the CLI and the page can show it in either language and tests can match on codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from planner.messages import Lang, text

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input.

    Attributes
    ----------
    file
        File name relative to the scenario folder (``buildings.csv``, ``scenario.toml``).
    row
        Spreadsheet row (header = 1, first data row = 2); ``None`` for the whole file or column.
    column
        Column or TOML key (``round.deadline``); ``None`` for the whole file.
    code
        Message key in :mod:`planner.messages`.
    values
        Values for the message placeholders.
    severity
        ``"error"`` makes the input unusable; ``"warning"`` is worth knowing but does not block.
    """

    file: str
    row: int | None
    column: str | None
    code: str
    values: dict[str, object] = field(default_factory=dict)
    severity: Severity = "error"

    def message(self, lang: Lang | None = None) -> str:
        """The problem alone, without its location."""
        return text(self.code, lang, **self.values)

    def render(self, lang: Lang | None = None) -> str:
        """``file:row: column: problem``, leaving out the parts that do not apply."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        if self.column:
            where = f"{where}: {self.column}" if where else self.column
        return f"{where}: {self.message(lang)}" if where else self.message(lang)

    def as_record(self, lang: Lang | None = None) -> dict[str, object]:
        """A flat record for a DataFrame (the page shows problems as a table)."""
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "problem": self.message(lang),
        }


class ScenarioError(Exception):
    """Raised when input cannot be used; ``problems`` lists every error found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render("en") for p in problems))
