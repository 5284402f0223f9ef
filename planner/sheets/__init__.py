"""Printed sheets: A4 PDFs for the command post, the sampling points, sweepers, door teams and
residents (``planner print``).

:func:`print_sheets` takes a scenario and a plan and writes the files; :func:`find_cjk_font`
finds the CJK font embedded in them. See ``docs/printing.md``.
"""

from planner.sheets.fonts import FontNotFound, find_cjk_font
from planner.sheets.notice import NOTICE_LANGS, notice_text
from planner.sheets.render import DEFAULT_REPS, KINDS, PrintResult, print_sheets

__all__ = [
    "DEFAULT_REPS",
    "KINDS",
    "NOTICE_LANGS",
    "FontNotFound",
    "PrintResult",
    "find_cjk_font",
    "notice_text",
    "print_sheets",
]
