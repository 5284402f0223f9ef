"""Every session-state key the page uses, in one place, so pages never collide or misspell one."""

from __future__ import annotations

LANG = "lang"  # "zh" or "en"
SCENARIO_CHOICE = "scenario_choice"  # name of the bundled scenario picked (widget)
UPLOAD_DIR = "upload_dir"  # folder of the last unpacked upload (kept so edits are not lost)
UPLOAD_DIGEST = "upload_digest"  # digest of the uploaded bytes already unpacked in UPLOAD_DIR
SCENARIO_DIR = "scenario_dir"  # folder of the scenario every page works on (not a widget key)

# The plan being worked on: a version on disk (planner.versions), its base plan and its edits.
WORK_KEY = "work_key"  # scenario key (planner.versions.scenario_key) the plan below belongs to
VERSION = "version"  # planner.versions.Version of the plan being worked on, or None
BASE_PLAN = "base_plan"  # the version's base plan (planner.plan.Plan)
EDITS = "edits"  # list of planner.edits.Edit made on the base plan, in order
EVALS = "evals"  # {(version id, edits as records): planner.views.Evaluation}, small LRU

JOB = "job"  # ui.jobs.SolveJob running or finished, not yet adopted
SOLVE_LIMIT = "solve_limit"  # time limit (s) of solve and re-optimise (widget)
SOLVE_SEED = "solve_seed"  # seed of solve and re-optimise (widget)
SOLVE_SHORT_WAIT = "solve_short_wait"  # SolveConfig.short_wait_min, minutes (widget)

SITE_VIEW = "site_view"  # site shown in the per-site charts (widget)
TIMELINE_BY = "timeline_by"  # rows of the calling timeline: "sweeper_id" or "site_id" (widget)
MAP_PICK = "map_pick"  # building last clicked on the edit page's map (applied once)
EDIT_FLASH = "edit_flash"  # one-off message after an edit / undo / load, shown once
DOWNLOADS = "downloads"  # {(plan key, what): (file name, bytes, mime)} prepared downloads

# Widget keys (tests drive the page through them).
SOLVE = "solve"  # plan page: the solve button
STOP_SOLVE = "stop_solve"  # plan and edit pages: stop the running solve
EDIT_MAP = "edit_map"  # edit page: the map a building is picked on (its selection state)
MB_BUILDING, MB_SITE, MB_TIME, MB_APPLY = "mb_building", "mb_site", "mb_time", "mb_apply"
MW_BUILDING, MW_FLOOR, MW_SITE = "mw_building", "mw_floor", "mw_site"  # move a wave
MW_TIME, MW_APPLY = "mw_time", "mw_apply"
DESK_EDITOR = "desk_editor"  # + "_<version>_<change>_<n>": the desks table, new after each edit
DESK_RESETS = "desk_resets"  # <n> above: bumped when a table change is refused (a fresh table)
SD_SITE, SD_DESKS, SD_FROM, SD_TO, SD_APPLY = "sd_site", "sd_desks", "sd_from", "sd_to", "sd_apply"
CS_SITE, CS_APPLY = "cs_site", "cs_apply"  # close a site
AB_STAFF, AB_APPLY = "ab_staff", "ab_apply"  # mark staff absent
UNDO, REOPTIMISE = "undo", "reoptimise"
VER_CHOICE, VER_OPEN = "ver_choice", "ver_open"  # versions: which one, open it
PRINT_SITE, PRINT_NOTICE_LANGS = "print_site", "print_notice_langs"
PREPARE, DOWNLOAD = "prep", "dl"  # + "_<what>_<which>": print page buttons

# Progress board page (ui/progress_page.py).
PB_SCENARIO = "pb_scenario"  # bundled scenario picked (widget)
PB_PLAN_DIR = "pb_plan_dir"  # plan folder path (widget)
PB_LOG_UPLOAD = "pb_log_upload"  # uploaded sampling log (widget)
PB_LOG_PATH = "pb_log_path"  # sampling log path (widget)
PB_NOW = "pb_now"  # the time of the board, HH:MM (widget)
PB_RUN = "pb_run"  # the "show the board" button (widget)
PB_CURVES = "pb_curves"  # {(scenario dir, plan dir): planner.replay.progress.expected_curves}
PB_BOARD = "pb_board"  # the last planner.replay.progress.Board shown
