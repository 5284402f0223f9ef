"""What every sheet builder needs: the inputs, the language, the styles and shared texts."""

from __future__ import annotations

from dataclasses import dataclass

from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Plan
from planner.sheets.layout import Styles
from planner.timefmt import format_hhmm


@dataclass(frozen=True)
class Context:
    """Inputs shared by the sheet builders of one print run.

    Attributes
    ----------
    scenario, plan
        What is printed.
    lang
        Language of headings and labels (notices choose their own languages).
    styles
        Paragraph styles in the run's font.
    reps, seed
        The simulation behind the "expected" figures (``reps`` 0: no simulation).
    """

    scenario: Scenario
    plan: Plan
    lang: Lang
    styles: Styles
    reps: int
    seed: int

    def t(self, key: str, **values: object) -> str:
        """The catalogue message ``key`` in the run's language."""
        return text(key, self.lang, **values)

    @property
    def synthetic_note(self) -> str | None:
        """The synthetic-data banner, or ``None`` for real data."""
        return self.t("sheet_synthetic") if self.scenario.synthetic else None

    def span(self, start: float, end: float) -> str:
        """``HH:MM–HH:MM``."""
        return self.t("sheet_span", start=format_hhmm(start), end=format_hhmm(end))

    def floors(self, floor_from: int, floor_to: int) -> str:
        """``3–5 层`` / ``3-5``, or a single floor."""
        if floor_from == floor_to:
            return self.t("sheet_floor", floor=floor_from)
        return self.t("sheet_floors", lo=floor_from, hi=floor_to)

    def named(self, name: str, ident: str) -> str:
        """``name（id）``, or just the id when the name is the id."""
        return ident if name == ident else self.t("sheet_named", name=name, id=ident)
