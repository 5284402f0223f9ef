"""Every session-state key the page uses, in one place, so pages never collide or misspell one."""

from __future__ import annotations

LANG = "lang"  # "zh" or "en"
SCENARIO_CHOICE = "scenario_choice"  # name of the bundled scenario picked
UPLOAD_DIR = "upload_dir"  # folder of the last unpacked upload (kept so edits are not lost)
