"""The message catalogue: every string a user sees, in Simplified Chinese and English.

Code refers to messages by key and passes values as keyword arguments; :func:`text` picks the
language and formats. Chinese is the default; ``PLANNER_LANG=en`` (or a ``--lang en`` option, or
the page's switch) selects English. Keeping every user-facing string here means a translation is
one file to review, and a test can check that both languages define the same keys and fields.
"""

from __future__ import annotations

import os
from typing import Literal, get_args

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

# key -> (Chinese, English). Placeholders use str.format syntax and must agree between languages.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- reading files ---------------------------------------------------------------------------
    "not_a_dir": ("不是场景文件夹", "not a scenario folder"),
    "not_a_plan_dir": ("不是方案文件夹", "not a plan folder"),
    "table_missing": (
        "找不到表 {name}（需要 {name}.csv 或 {name}.parquet）",
        "table {name} not found (expected {name}.csv or {name}.parquet)",
    ),
    "table_ambiguous": (
        "{name}.csv 与 {name}.parquet 同时存在，请只保留一个",
        "both {name}.csv and {name}.parquet exist: keep only one",
    ),
    "file_unreadable": ("无法读取：{error}", "cannot be read: {error}"),
    "not_utf8": (
        "不是 UTF-8 编码的文本（在 Excel 中另存为“CSV UTF-8”）",
        "not UTF-8 text (in Excel, save as 'CSV UTF-8')",
    ),
    "empty_table": ("表中没有数据行", "the table has no data rows"),
    "column_missing": ("缺少必填列", "required column is missing"),
    "column_duplicate": ("列名重复", "column appears more than once"),
    # --- cell values -----------------------------------------------------------------------------
    "value_missing": ("必填，不能为空", "required value is empty"),
    "not_integer": ("“{value}”不是整数", '"{value}" is not a whole number'),
    "not_number": ("“{value}”不是数字", '"{value}" is not a number'),
    "not_bool": ("“{value}”不是 0/1", '"{value}" is not 0/1'),
    "not_time": (
        "“{value}”不是 HH:MM 时间（次日凌晨写作 25:30）",
        '"{value}" is not a HH:MM time (next morning: 25:30)',
    ),
    "below_min": ("{value} 小于下限 {bound}", "{value} is below the minimum {bound}"),
    "above_max": ("{value} 大于上限 {bound}", "{value} is above the maximum {bound}"),
    "duplicate_id": ("编号“{value}”重复", 'duplicate id "{value}"'),
    "unknown_role": (
        "未知岗位“{value}”（可选：{allowed}）",
        'unknown role "{value}" (one of: {allowed})',
    ),
    "unknown_committee": (
        "未知居民区“{value}”（buildings 表中没有）",
        'unknown committee "{value}" (not in the buildings table)',
    ),
    "immobile_gt_residents": (
        "行动不便 {immobile} 人，多于居民 {residents:,} 人",
        "{immobile} immobile residents but only {residents:,} residents",
    ),
    "residents_no_households": (
        "有居民 {residents:,} 人但住户数为 0",
        "{residents:,} residents but no households",
    ),
    "far_away": (
        "距全部楼栋的中位位置 {km:.1f} 公里（经纬度是否填反？）",
        "{km:.1f} km from the median of all buildings (latitude and longitude swapped?)",
    ),
    "window_reversed": (
        "{end_col} {end} 不晚于 {start_col} {start}",
        "{end_col} {end} is not after {start_col} {start}",
    ),
    "unknown_ref": (
        "未知{kind}“{value}”（场景中没有）",
        'unknown {kind} "{value}" (not in the scenario)',
    ),
    "ref_building": ("楼栋", "building"),
    "ref_site": ("采样点", "site"),
    "ref_staff": ("人员", "staff member"),
    # --- scenario.toml ---------------------------------------------------------------------------
    "toml_syntax": ("TOML 语法错误：{error}", "TOML syntax error: {error}"),
    "toml_unknown_key": ("未知参数（拼写错误？）", "unknown key (misspelt?)"),
    "toml_not_table": ("应为 [{key}] 表", "should be a [{key}] table"),
    "toml_type": ("应为{expected}，实际为“{value}”", 'should be {expected}, got "{value}"'),
    "toml_required": ("必填", "required"),
    "deadline_before_start": (
        "截止时间 {deadline} 不晚于开始时间 {start}",
        "deadline {deadline} is not after start {start}",
    ),
    "notice_after_start": (
        "通知时间 {notice} 晚于开始时间 {start}",
        "notice {notice} comes after the start {start}",
    ),
    "type_number": ("数字", "a number"),
    "type_integer": ("整数", "a whole number"),
    "type_bool": ("true/false", "true/false"),
    "type_text": ("文本", "text"),
    "type_date": ("日期（2022-03-16）", "a date (2022-03-16)"),
    "type_time": ("HH:MM 时间", "a HH:MM time"),
    "type_datetime": (
        "HH:MM 或日期时间（2022-03-15T23:30:00）",
        "HH:MM or a datetime (2022-03-15T23:30:00)",
    ),
    # --- feasibility warnings --------------------------------------------------------------------
    "short_desk_hours": (
        "采样台时不足：需要 {need:.1f} 台·时，全部点位开满最多 {have:.1f} 台·时，差 {short:.1f}",
        "desk-hours short: {need:.1f} needed, at most {have:.1f} with every site fully open, "
        "{short:.1f} short",
    ),
    "short_role_hours": (
        "{role}工时不足：需要 {need:.1f} 人·时，名单最多提供 {have:.1f} 人·时，"
        "差 {short:.1f}（约需再增加 {people} 人）",
        "{role} hours short: {need:.1f} person-hours needed, the roster offers at most "
        "{have:.1f}, {short:.1f} short (about {people} more people)",
    ),
    "short_marshals": (
        "秩序维护人员 {have} 人，每个点位需要 {need} 人",
        "{have} marshals on the roster, each open site needs {need}",
    ),
    "late_lower_bound": (
        "即使所有台位和人员满负荷，最早 {bound} 才能完成（截止 {deadline}）",
        "even with every desk and person busy, sampling cannot finish before {bound} "
        "(deadline {deadline})",
    ),
    "late_never": (
        "现有台位和人员在其开放/在岗时段内无论如何都完成不了（截止 {deadline}）",
        "the desks and people on offer cannot finish the work within their opening and "
        "availability windows at all (deadline {deadline})",
    ),
    # --- plan check (planner.check) --------------------------------------------------------------
    "chk_unknown_ref": (
        "未知{kind}“{value}”（场景中没有）",
        'unknown {kind} "{value}" (not in the scenario)',
    ),
    "chk_floors_reversed": (
        "起始楼层 {floor_from} 高于结束楼层 {floor_to}",
        "floor_from {floor_from} is above floor_to {floor_to}",
    ),
    "chk_floors_outside": (
        "楼栋 {building} 的 {floors} 层超出其楼层 1-{top}，超出 {by} 层",
        "floors {floors} of building {building} lie outside its floors 1-{top} by {by} floor(s)",
    ),
    "chk_call_locked": (
        "楼栋 {building} 是封控楼，居民应上门采样，不能呼叫下楼（本波 {people} 人）",
        "building {building} is locked down: its residents are sampled at the door, not called "
        "down (this wave: {people} people)",
    ),
    "chk_floors_called_twice": (
        "楼栋 {building} 的 {floors} 层（{count} 层）重复呼叫，第 {other} 行已呼叫过",
        "building {building}: {count} floor(s) called again ({floors}), already called in row "
        "{other}",
    ),
    "chk_floors_visited_twice": (
        "封控楼 {building} 的 {floors} 层（{count} 层）重复上门，第 {other} 行已安排过",
        "locked building {building}: {count} floor(s) visited again ({floors}), already visited "
        "in row {other}",
    ),
    "chk_floors_not_called": (
        "楼栋 {building} 有 {count} 层从未呼叫：{floors}",
        "building {building}: {count} floor(s) never called: {floors}",
    ),
    "chk_floors_not_visited": (
        "封控楼 {building} 有 {count} 层从未上门：{floors}",
        "locked building {building}: {count} floor(s) never visited: {floors}",
    ),
    "chk_no_calls": (
        "楼栋 {building} 有 {people} 人应到点采样，但没有任何呼叫波次",
        "building {building} has {people} residents to call down but no calls",
    ),
    "chk_call_people": (
        "楼栋 {building}：各波次合计 {have} 人，应为 {need} 人（居民 {residents} − 行动不便 "
        "{immobile}），差 {diff:+d}",
        "building {building}: calls bring {have} people, {need} expected (residents {residents} "
        "- immobile {immobile}): {diff:+d}",
    ),
    "chk_wave_other_site": (
        "楼栋 {building} 的这一波去 {site}，而第一波（第 {first_row} 行）去 {first_site}；"
        "同一栋楼的各波次应去同一个点位",
        "building {building}: this wave goes to {site} but its first wave (row {first_row}) goes "
        "to {first_site}; all waves of a building go to one site",
    ),
    "chk_no_visits": (
        "楼栋 {building} 需上门采样 {people} 人，但没有上门安排",
        "building {building} needs door visits for {people} people but has none",
    ),
    "chk_visit_people_locked": (
        "封控楼 {building}：上门合计 {have} 人，居民 {need} 人，差 {diff:+d}",
        "locked building {building}: visits sample {have} people, it has {need} residents: "
        "{diff:+d}",
    ),
    "chk_visit_people_immobile": (
        "楼栋 {building}：上门合计 {have} 人，行动不便居民 {need} 人，差 {diff:+d}",
        "building {building}: visits sample {have} people, it has {need} immobile residents: "
        "{diff:+d}",
    ),
    "chk_spell_empty": (
        "{site} 的时段 {start}-{end} 结束不晚于开始",
        "spell {start}-{end} at {site} does not end after it starts",
    ),
    "chk_desks_over_max": (
        "{site} 开 {desks} 个采样台，最多 {max_desks} 个，超出 {over} 个",
        "{desks} desks at {site}, max_desks {max_desks}: {over} over",
    ),
    "chk_spell_outside_open": (
        "{site} 的时段 {start}-{end} 有 {outside} 分钟在开放时间 {open_from}-{open_to} 之外",
        "spell {start}-{end} at {site} is {outside} min outside its opening hours "
        "{open_from}-{open_to}",
    ),
    "chk_spells_overlap": (
        "{site} 的时段 {start}-{end} 与第 {other} 行（{other_start}-{other_end}）重叠 {minutes} 分钟",
        "spell {start}-{end} at {site} overlaps row {other} ({other_start}-{other_end}) by "
        "{minutes} min",
    ),
    "chk_call_no_desk_never": (
        "{call} 呼叫去 {site}，但该点位从未开台",
        "call at {call} to {site}, which never has a desk open",
    ),
    "chk_call_desk_late": (
        "呼叫后一小时内（{call}-{hour_end}）{site} 没有开放的采样台；下一次开台在 {opens}，"
        "比这一小时晚 {by} 分钟",
        "no desk open at {site} in the hour after the call ({call}-{hour_end}); the next opens "
        "at {opens}, {by} min after that hour",
    ),
    "chk_call_desk_closed": (
        "呼叫后一小时内（{call}-{hour_end}）{site} 没有开放的采样台；最近一次已在 {closed} 收台，"
        "比呼叫早 {by} 分钟",
        "no desk open at {site} in the hour after the call ({call}-{hour_end}); the last closed "
        "at {closed}, {by} min before the call",
    ),
    "chk_samplers_short": (
        "点位 {site} {start}-{end}：开 {desks} 个采样台需采样员 {need} 人，在岗 {have} 人（缺 {short} 人）",
        "site {site} {start}-{end}: {desks} desk(s) need {need} sampler(s), {have} on post "
        "({short} short)",
    ),
    "chk_registrars_short": (
        "点位 {site} {start}-{end}：开 {desks} 个采样台需登记员 {need} 人，在岗 {have} 人（缺 {short} 人）",
        "site {site} {start}-{end}: {desks} desk(s) need {need} registrar(s), {have} on post "
        "({short} short)",
    ),
    "chk_marshals_short": (
        "点位 {site} {start}-{end}：开 {desks} 个采样台，需秩序维护 {need} 人，在岗 {have} 人（缺 {short} 人）",
        "site {site} {start}-{end}: open with {desks} desk(s), needs {need} marshal(s), {have} "
        "on post ({short} short)",
    ),
    "chk_door_samplers_short": (
        "上门小组 {team} {start}-{end}（第 {seq} 站）：需采样员 {need} 人，在岗 {have} 人（缺 {short} 人）",
        "door team {team} {start}-{end} (visit seq {seq}): needs {need} sampler(s), {have} on "
        "post ({short} short)",
    ),
    "chk_door_registrars_short": (
        "上门小组 {team} {start}-{end}（第 {seq} 站）：需登记员 {need} 人，在岗 {have} 人（缺 {short} 人）",
        "door team {team} {start}-{end} (visit seq {seq}): needs {need} registrar(s), {have} on "
        "post ({short} short)",
    ),
    "chk_role_mismatch": (
        "{staff} 在人员表中是{listed}，排班中写成{rostered}",
        "{staff} is a {listed} in the staff table, rostered as {rostered}",
    ),
    "chk_post_sweeper": (
        "扫楼员 {staff} 的岗位是“{post}”，扫楼员的岗位应为“sweep”",
        'sweeper {staff} is posted at "{post}"; sweepers work on "sweep"',
    ),
    "chk_post_marshal": (
        "秩序维护员 {staff} 的岗位“{post}”不是采样点",
        'marshal {staff} is posted at "{post}", which is not a site',
    ),
    "chk_post_desk": (
        "{role} {staff} 的岗位“{post}”既不是采样点，也不是有上门安排的小组",
        '{role} {staff} is posted at "{post}", neither a site nor a door team with visits',
    ),
    "chk_shift_empty": (
        "{staff} 的班次 {start}-{end} 结束不晚于开始",
        "shift {start}-{end} of {staff} does not end after it starts",
    ),
    "chk_shift_unavailable": (
        "{staff} 的班次 {start}-{end} 有 {outside} 分钟不在其可用时间 {available_from}-{available_to} 内",
        "shift {start}-{end} of {staff} is {outside} min outside their availability "
        "{available_from}-{available_to}",
    ),
    "chk_shift_overlap": (
        "{staff} 的班次 {start}-{end} 与第 {other} 行（{other_start}-{other_end}）重叠 {minutes} 分钟",
        "shift {start}-{end} of {staff} overlaps row {other} ({other_start}-{other_end}) by "
        "{minutes} min",
    ),
    "chk_max_hours": (
        "{staff} 共工作 {hours:.1f} 小时，超出上限 {max_hours:g} 小时 {over:.1f} 小时",
        "{staff} works {hours:.1f} h, {over:.1f} h over max_hours {max_hours:g}",
    ),
    "chk_ppe_stint": (
        "采样员 {staff} 连续穿防护服 {start}-{end} 共 {hours:.1f} 小时，超出上限 {max_ppe_h:g} 小时 "
        "{over:.1f} 小时",
        "sampler {staff}: stint {start}-{end} is {hours:.1f} h, {over:.1f} h over max_ppe_h "
        "{max_ppe_h:g}",
    ),
    "chk_not_sweeper": (
        "{staff} 是{role}，不是扫楼员",
        "{staff} is a {role}, not a sweeper",
    ),
    "chk_sweep_off_shift": (
        "扫楼员 {staff} 在本波 {start}-{end}（{minutes:.1f} 分钟）中有 {off:.1f} 分钟不在扫楼班次内",
        "sweeper {staff} is off a sweep shift for {off:.1f} of the {minutes:.1f} min of this "
        "call ({start}-{end})",
    ),
    "chk_call_seq_repeat": (
        "扫楼员 {staff} 的序号 {seq} 与第 {other} 行重复",
        "seq {seq} of sweeper {staff} repeats row {other}",
    ),
    "chk_call_too_early": (
        "扫楼员 {staff}：序号 {seq} 的呼叫 {at} 开始，早了 {early:.1f} 分钟（上一波 {prev_end} 结束"
        " + 步行 {walk:.1f} 分钟）",
        "sweeper {staff}: call seq {seq} at {at} starts {early:.1f} min too early (previous call "
        "ends {prev_end} + {walk:.1f} min walk)",
    ),
    "chk_visit_seq_repeat": (
        "上门小组 {team} 的序号 {seq} 与第 {other} 行重复",
        "seq {seq} of door team {team} repeats row {other}",
    ),
    "chk_visit_too_short": (
        "上门小组 {team} 第 {seq} 站只安排 {lasts:.1f} 分钟，需要 {needs:.1f} 分钟（{people} 人 × "
        "{door_s:g} 秒 + {climb_how} {climb_s:g} 秒），缺 {short:.1f} 分钟",
        "door team {team}: visit seq {seq} lasts {lasts:.1f} min, needs {needs:.1f} min "
        "({people} people x {door_s:g} s + {climb_s:g} s {climb_how}): {short:.1f} min short",
    ),
    "chk_climb_lift": ("乘电梯", "lift ride"),
    "chk_climb_stairs": ("爬楼梯", "stairs"),
    "chk_visit_too_early": (
        "上门小组 {team}：第 {seq} 站 {at} 开始，早了 {early:.1f} 分钟（上一站 {prev_end} 结束 + "
        "步行 {walk:.1f} 分钟）",
        "door team {team}: visit seq {seq} at {at} starts {early:.1f} min too early (previous "
        "visit ends {prev_end} + {walk:.1f} min walk)",
    ),
    # --- printed sheets (planner.sheets) ---------------------------------------------------------
    "sheet_font_not_found": (
        "找不到可嵌入 PDF 的中文字体。已查找：{tried}。请安装字体（Debian/Ubuntu：sudo apt-get install fonts-wqy-microhei），或用 --font 指定 .ttf/.ttc 字体文件",
        "no Chinese font that can be embedded in a PDF was found. Looked for: {tried}. Install one "
        "(Debian/Ubuntu: sudo apt-get install fonts-wqy-microhei) or pass --font PATH to a .ttf/.ttc file",
    ),
    "sheet_font_missing_file": (
        "字体文件不存在：{path}（可用 apt-get install fonts-wqy-microhei 安装字体）",
        "font file not found: {path} (apt-get install fonts-wqy-microhei installs one)",
    ),
    "sheet_font_cff": (
        "字体 {path} 是 PostScript（CFF）轮廓的 OpenType 字体，无法嵌入 PDF；请改用 TrueType 字体，如 wqy-microhei.ttc",
        "font {path} has PostScript (CFF) outlines, which cannot be embedded in the PDF; use a "
        "TrueType font such as wqy-microhei.ttc",
    ),
    "sheet_font_unreadable": ("无法读取字体 {path}：{error}", "cannot read font {path}: {error}"),
    "sheet_font_no_cjk": (
        "字体 {path} 不含中文字形，打印会出现空白方框；请用 --font 指定中文字体",
        "font {path} has no Chinese glyphs (sheets would print blank boxes); pass a Chinese font "
        "with --font",
    ),
    "sheet_font_lacks_lang": (
        "字体 {path} 缺少{language}通知所需的字形（如“{chars}”）；请用 --font 指定含这些字形的字体，如 wqy-microhei.ttc",
        'font {path} lacks glyphs the {language} notice needs (e.g. "{chars}"); pass a font that '
        "has them with --font, such as wqy-microhei.ttc",
    ),
    "sheet_lang_zh": ("中文", "Chinese"),
    "sheet_lang_en": ("英文", "English"),
    "sheet_lang_ja": ("日文", "Japanese"),
    "sheet_lang_ko": ("韩文", "Korean"),
    "sheet_unknown_notice_lang": (
        "未知通知语言“{value}”（可选：{allowed}）",
        'unknown notice language "{value}" (one of: {allowed})',
    ),
    "sheet_unknown_kind": (
        "未知打印类别“{value}”（可选：{allowed}）",
        'unknown kind of sheet "{value}" (one of: {allowed})',
    ),
    "sheet_footer": (
        "{scenario} · 方案：{kind} · 打印于 {when}",
        "{scenario} · plan: {kind} · printed {when}",
    ),
    "sheet_page": ("第 {page}/{pages} 页", "page {page} of {pages}"),
    "sheet_continued": ("{title}（续）", "{title} (continued)"),
    "sheet_synthetic": (
        "合成数据：地名、人名均为虚构，仅供演示和培训",
        "Synthetic data: places and people are invented, for demonstration and training only",
    ),
    "sheet_named": ("{name}（{id}）", "{name} ({id})"),
    "sheet_none": ("无", "none"),
    "sheet_list_sep": ("、", ", "),
    "sheet_total": ("合计", "Total"),
    "sheet_count_buildings": ("{count} 栋", "{count} buildings"),
    "sheet_floors": ("{lo}–{hi} 层", "{lo}-{hi}"),
    "sheet_floor": ("{floor} 层", "{floor}"),
    "sheet_shift": ("{name} {start}–{end}", "{name} {start}-{end}"),
    "sheet_span": ("{start}–{end}", "{start}-{end}"),
    "sheet_forecast_note": (
        "“预计”为 {reps} 次模拟（种子 {seed}）的平均值，是预测而非承诺，以现场实际为准。",
        '"Expected" values are the mean of {reps} simulated runs (seed {seed}): predictions, '
        "not promises.",
    ),
    "sheet_col_no": ("序", "#"),
    "sheet_col_time": ("呼叫时间", "Call at"),
    "sheet_col_when": ("时间", "Time"),
    "sheet_col_building": ("楼栋", "Building"),
    "sheet_col_floors": ("楼层", "Floors"),
    "sheet_col_households": ("户数", "Households"),
    "sheet_col_people": ("人数", "People"),
    "sheet_col_sweeper": ("扫楼员", "Sweeper"),
    "sheet_col_site": ("采样点", "Site"),
    "sheet_col_done": ("完成", "Done"),
    "sheet_col_desk": ("台位", "Desk"),
    "sheet_col_samplers": ("采样员", "Samplers"),
    "sheet_col_registrars": ("登记员", "Registrars"),
    "sheet_col_marshals": ("秩序维护", "Marshals"),
    "sheet_col_name": ("名称", "Name"),
    "sheet_col_committee": ("居民区", "Committee"),
    "sheet_col_opening": ("开放", "Open"),
    "sheet_col_peak_desks": ("最多台", "Desks"),
    "sheet_col_peak_queue": ("预计排队", "Queue"),
    "sheet_col_room": ("容量", "Room"),
    "sheet_col_finish": ("预计完成", "Finish"),
    "sheet_col_unserved": ("未采样", "Unserved"),
    "sheet_col_reason": ("原因", "Why"),
    # site sheet
    "sheet_site_kind": ("采样点工作单", "Sampling point sheet"),
    "sheet_committee": ("居民区 · 位置", "Committee · location"),
    "sheet_location_value": ("北纬 {lat:.5f}，东经 {lon:.5f}", "{lat:.5f} N, {lon:.5f} E"),
    "sheet_opening": ("开放时间 · 场地", "Opening · space"),
    "sheet_closed": ("未开放（方案中没有采样台）", "closed (no desks in the plan)"),
    "sheet_space_value": (
        "最多 {desks} 个采样台，可排队 {queue:,} 人",
        "up to {desks} desks, room for {queue:,} people in line",
    ),
    "sheet_calls": ("呼叫", "Calls"),
    "sheet_calls_value": (
        "{waves} 波，{buildings} 栋楼，{households:,} 户，约 {people:,} 人",
        "{waves} waves, {buildings} buildings, {households:,} households, about {people:,} people",
    ),
    "sheet_forecast": ("预计（模拟）", "Expected (simulated)"),
    "sheet_forecast_value": (
        "最长排队约 {queue:.0f} 人，{finish} 完成",
        "peak queue about {queue:.0f} people, done by {finish}",
    ),
    "sheet_forecast_over": (
        "，超出场地排队容量 {capacity:,} 人",
        ", more than the {capacity:,} the space holds",
    ),
    "sheet_forecast_unserved": (
        "；约 {unserved:.0f} 人到场时采样台已关闭，需延时或加台",
        "; about {unserved:.0f} people arrive after the desks close: extend or add desks",
    ),
    "sheet_forecast_none": ("无人到场", "nobody comes"),
    "sheet_desks_heading": ("采样台", "Desks"),
    "sheet_desk_count": ("{desks} 台", "{desks} desks"),
    "sheet_crew_rule": (
        "每个采样台：采样员 {samplers} 人、登记员 {registrars} 人；每个点位：秩序维护 {marshals} 人。同一台的人员按时间交接（→）。",
        "Each desk: {samplers} sampler(s) and {registrars} registrar(s); the point: {marshals} "
        "marshal(s). People at one desk hand over in time order (→).",
    ),
    "sheet_crew_heading": ("人员安排（台位编号为建议）", "Crew (desk numbers are a suggestion)"),
    "sheet_desk_no": ("{n} 号台", "desk {n}"),
    "sheet_calls_heading": ("呼叫时间表", "Calling timetable"),
    "sheet_no_calls": ("本采样点没有呼叫波次。", "Nobody is called to this point."),
    # route sheets
    "sheet_sweep_kind": ("扫楼路线", "Sweeper route"),
    "sheet_shifts": ("班次", "Shifts"),
    "sheet_route_value": (
        "{stops} 站，{households:,} 户，约 {people:,} 人",
        "{stops} stops, {households:,} households, about {people:,} people",
    ),
    "sheet_route": ("路线", "Route"),
    "sheet_sweep_note": (
        "按顺序到各楼呼叫，请对应楼层的居民下楼到指定采样点；每站完成后打勾。",
        "Go to the buildings in this order and call the floors listed down to their sampling "
        "point; tick each stop when done.",
    ),
    "sheet_team_kind": ("上门采样路线", "Door-to-door route"),
    "sheet_team_title": ("上门小组 {team}", "Door team {team}"),
    "sheet_members": ("组员", "Members"),
    "sheet_team_value": ("{stops} 站，{people:,} 人", "{stops} stops, {people:,} people"),
    "sheet_team_note": (
        "封控楼居民和行动不便的居民在家门口采样；按顺序进行，每站完成后打勾。",
        "Residents of locked-down buildings and immobile residents are sampled at their door; "
        "go in this order and tick each stop when done.",
    ),
    "sheet_reason_locked": ("封控楼", "locked down"),
    "sheet_reason_immobile": ("行动不便", "immobile"),
    # cover
    "sheet_cover_kind": ("指挥部总览", "Command post summary"),
    "sheet_cover_sites": ("采样点", "Sites"),
    "sheet_cover_sites_value": (
        "开放 {opened} 个（候选 {candidates} 个），同时开放采样台最多 {desks} 个",
        "{opened} open of {candidates} candidates, at most {desks} desks open at once",
    ),
    "sheet_cover_staff": ("在岗人员（排班/名单）", "Staff (rostered / on the list)"),
    "sheet_cover_staff_value": (
        "采样员 {sampler}/{sampler_all}，登记员 {registrar}/{registrar_all}，秩序维护 {marshal}/{marshal_all}，扫楼 {sweeper}/{sweeper_all}；共 {hours:,.0f} 人·时",
        "{sampler}/{sampler_all} samplers, {registrar}/{registrar_all} registrars, "
        "{marshal}/{marshal_all} marshals, {sweeper}/{sweeper_all} sweepers; {hours:,.0f} "
        "staff-hours",
    ),
    "sheet_cover_work": ("任务", "Work"),
    "sheet_cover_work_value": (
        "{waves:,} 个呼叫波次（{sweepers} 名扫楼员）；{teams} 个上门小组共 {stops:,} 站",
        "{waves:,} calling waves by {sweepers} sweepers; {teams} door teams making {stops:,} stops",
    ),
    "sheet_cover_finish": ("预计完成（模拟）", "Expected finish (simulated)"),
    "sheet_cover_unserved": (
        "未能全部完成：约 {unserved:.0f} 人到场时采样台已关闭",
        "not everybody is served: about {unserved:.0f} people find the desks closed",
    ),
    "sheet_cover_queue": ("最长排队 / 95% 等待（模拟）", "Peak queue / p95 wait (simulated)"),
    "sheet_cover_queue_value": (
        "{queue:.0f} 人 / {wait:.0f} 分钟",
        "{queue:.0f} people / {wait:.0f} min",
    ),
    "sheet_cover_done_value": ("{share:.1%}", "{share:.1%}"),
    "sheet_cover_sites_heading": (
        "各采样点（排队、完成、未采样为模拟预计；“!”：排队超出场地容量）",
        'Sampling points (queue, finish and unserved are simulated; "!": queue exceeds the room)',
    ),
    # notices: zh and en here; ja and ko in the *_ja and *_ko keys below (the same text in both
    # slots, since text() knows zh and en only; planner.sheets.notice.notice_text picks them).
    "sheet_notice_title": ("核酸检测通知", "Notice: PCR screening"),
    "sheet_notice_building": (
        "楼栋：{building}（{compound}）",
        "Building: {building} ({compound})",
    ),
    "sheet_notice_site": ("采样点：{site}", "Sampling point: {site}"),
    "sheet_notice_when": (
        "请听到呼叫后再下楼，按楼层分批前往：",
        "Please come down only when you are called, floor group by floor group:",
    ),
    "sheet_notice_col_floors": ("楼层", "Floors"),
    "sheet_notice_col_time": ("下楼时间", "Come down"),
    "sheet_notice_floors": ("{lo}–{hi} 层", "floors {lo}-{hi}"),
    "sheet_notice_floor": ("{floor} 层", "floor {floor}"),
    "sheet_notice_from": ("{time} 起", "from {time}"),
    "sheet_notice_bring": (
        "请携带：手机（出示健康码）、身份证件",
        "Bring: your phone (health code) and your ID card or passport",
    ),
    "sheet_notice_mask": (
        "全程佩戴口罩，排队时前后间隔 1–2 米",
        "Wear a mask and keep 1-2 m apart in the queue",
    ),
    "sheet_notice_locked": (
        "本楼封控管理：请留在家中，采样人员按下表时间逐层上门采样",
        "This building is locked down: please stay at home; the sampling team comes to each "
        "floor at the times below",
    ),
    "sheet_notice_col_door": ("上门时间", "At your door"),
    "sheet_notice_immobile": (
        "行动不便、无法下楼的居民请在家等候，采样人员 {start}–{end} 上门采样",
        "Residents who cannot come down: please wait at home; the sampling team comes to your "
        "door between {start} and {end}",
    ),
    "sheet_notice_contact": (
        "如有疑问，请联系{committee}居委会",
        "Questions: {committee} residents' committee",
    ),
    "sheet_notice_title_ja": ("PCR検査のお知らせ", "PCR検査のお知らせ"),
    "sheet_notice_building_ja": (
        "建物：{building}（{compound}）",
        "建物：{building}（{compound}）",
    ),
    "sheet_notice_site_ja": ("検査会場：{site}", "検査会場：{site}"),
    "sheet_notice_when_ja": (
        "呼び出しがあってから、階ごとに順番に下りてきてください：",
        "呼び出しがあってから、階ごとに順番に下りてきてください：",
    ),
    "sheet_notice_col_floors_ja": ("階", "階"),
    "sheet_notice_col_time_ja": ("集合時間", "集合時間"),
    "sheet_notice_floors_ja": ("{lo}～{hi}階", "{lo}～{hi}階"),
    "sheet_notice_floor_ja": ("{floor}階", "{floor}階"),
    "sheet_notice_from_ja": ("{time}から", "{time}から"),
    "sheet_notice_bring_ja": (
        "持ち物：携帯電話（健康コードを提示）、身分証明書（パスポート）",
        "持ち物：携帯電話（健康コードを提示）、身分証明書（パスポート）",
    ),
    "sheet_notice_mask_ja": (
        "マスクを着用し、並ぶときは前後1～2メートル空けてください",
        "マスクを着用し、並ぶときは前後1～2メートル空けてください",
    ),
    "sheet_notice_locked_ja": (
        "この建物は封鎖管理中です。自宅でお待ちください。検査員が下記の時間に各階を訪問します",
        "この建物は封鎖管理中です。自宅でお待ちください。検査員が下記の時間に各階を訪問します",
    ),
    "sheet_notice_col_door_ja": ("訪問時間", "訪問時間"),
    "sheet_notice_immobile_ja": (
        "下りてこられない方は自宅でお待ちください。{start}～{end}に検査員が訪問します",
        "下りてこられない方は自宅でお待ちください。{start}～{end}に検査員が訪問します",
    ),
    "sheet_notice_contact_ja": (
        "お問い合わせ：{committee}居民委員会",
        "お問い合わせ：{committee}居民委員会",
    ),
    "sheet_notice_title_ko": ("PCR 검사 안내", "PCR 검사 안내"),
    "sheet_notice_building_ko": ("건물: {building} ({compound})", "건물: {building} ({compound})"),
    "sheet_notice_site_ko": ("검사 장소: {site}", "검사 장소: {site}"),
    "sheet_notice_when_ko": (
        "호출이 있은 후에 층별로 순서대로 내려오십시오:",
        "호출이 있은 후에 층별로 순서대로 내려오십시오:",
    ),
    "sheet_notice_col_floors_ko": ("층", "층"),
    "sheet_notice_col_time_ko": ("내려올 시간", "내려올 시간"),
    "sheet_notice_floors_ko": ("{lo}~{hi}층", "{lo}~{hi}층"),
    "sheet_notice_floor_ko": ("{floor}층", "{floor}층"),
    "sheet_notice_from_ko": ("{time}부터", "{time}부터"),
    "sheet_notice_bring_ko": (
        "준비물: 휴대폰(건강 코드 제시), 신분증(여권)",
        "준비물: 휴대폰(건강 코드 제시), 신분증(여권)",
    ),
    "sheet_notice_mask_ko": (
        "마스크를 착용하고 줄을 설 때 앞뒤 1~2미터 간격을 유지하십시오",
        "마스크를 착용하고 줄을 설 때 앞뒤 1~2미터 간격을 유지하십시오",
    ),
    "sheet_notice_locked_ko": (
        "이 건물은 봉쇄 관리 중입니다. 댁에서 기다려 주십시오. 검사 요원이 아래 시간에 각 층을 방문합니다",
        "이 건물은 봉쇄 관리 중입니다. 댁에서 기다려 주십시오. 검사 요원이 아래 시간에 각 층을 방문합니다",
    ),
    "sheet_notice_col_door_ko": ("방문 시간", "방문 시간"),
    "sheet_notice_immobile_ko": (
        "내려올 수 없는 분은 댁에서 기다려 주십시오. {start}~{end}에 검사 요원이 방문합니다",
        "내려올 수 없는 분은 댁에서 기다려 주십시오. {start}~{end}에 검사 요원이 방문합니다",
    ),
    "sheet_notice_contact_ko": ("문의: {committee} 주민위원회", "문의: {committee} 주민위원회"),
    # --- roles -----------------------------------------------------------------------------------
    "role_sampler": ("采样员", "sampler"),
    "role_registrar": ("登记员", "registrar"),
    "role_marshal": ("秩序维护员", "marshal"),
    "role_sweeper": ("扫楼员", "sweeper"),
    # --- CLI -------------------------------------------------------------------------------------
    "cli_valid": ("场景有效：{name}", "valid scenario: {name}"),
    "cli_invalid": ("场景有 {count} 个错误", "the scenario has {count} errors"),
    "cli_warnings": ("{count} 条警告", "{count} warnings"),
    "cli_plan_valid": ("方案有效：全部检查通过", "valid plan: every check passed"),
    "cli_plan_invalid": ("方案有 {count} 处违规", "the plan has {count} violations"),
    "cli_plan_unreadable": (
        "方案无法读取：{count} 个问题",
        "the plan cannot be read: {count} problems",
    ),
    "cli_generated": (
        "已生成 {preset}（种子 {seed}）到 {out}",
        "generated {preset} (seed {seed}) in {out}",
    ),
    "cli_unknown_preset": (
        "未知预设“{value}”（可选：{allowed}）",
        'unknown preset "{value}" (one of: {allowed})',
    ),
    "cli_path_missing": ("路径不存在：{path}", "no such path: {path}"),
    "cli_out_exists": (
        "输出文件夹 {path} 已存在且不为空（用 --force 覆盖）",
        "output folder {path} exists and is not empty (use --force to overwrite)",
    ),
    # --- page ---
    "ui_title": ("全员核酸筛查规划", "Mass screening planner"),
    "ui_upload": ("上传场景（zip 压缩的文件夹）", "Upload a scenario (zipped folder)"),
    "ui_scenario": ("内置场景", "Bundled scenario"),
    "ui_item": ("项目", "Item"),
    "ui_value": ("内容", "Value"),
    # --- baselines ---
    "bl_desks_stepped_down": (
        "人员不足以支撑全部采样台：仅 {have:.1f} / {want:.1f} 台·时有人值守，其余时段减台",
        "desks stepped down where the roster could not staff them: {have:.1f} of {want:.1f} "
        "desk-hours staffed",
    ),
    "bl_uncalled": (
        "楼栋 {building}：没有扫楼员能把它呼叫到开放的点位",
        "building {building}: no sweeper can call it to an open site",
    ),
    "bl_spread": (
        "扫楼员跟不上均匀分布到收点的呼叫；呼叫只分布在各点位时段的前 {share:.0%}",
        "sweepers cannot keep up with calls spread to closing time; calls spread over the "
        "first {share:.0%} of each site's window instead",
    ),
    "cli_baseline_written": ("已写出 {kind} 方案到 {out}", "{kind} plan written to {out}"),
    # --- solver stages and CLI ---
    "cli_printed": (
        "已生成 {files} 个 PDF（共 {pages} 页）到 {out}",
        "{files} PDFs ({pages} pages) written to {out}",
    ),
    "cli_cannot_write": ("无法写入 {path}：{error}", "cannot write {path}: {error}"),
    "cli_solved": (
        "已写出方案到 {out}（用时 {seconds} 秒）",
        "plan written to {out} ({seconds} s)",
    ),
    "stage_prepare": ("准备数据、计算下界", "preparing data and the lower bound"),
    "stage_doors": ("上门采样路线", "door-to-door routes"),
    "stage_location": ("选点与楼栋分配", "sites and building assignment"),
    "stage_desks": ("各时段采样台数", "desks per time slot"),
    "stage_roster": ("排班", "roster"),
    "stage_sweeps": ("呼叫批次与扫楼顺序", "calling waves and sweep order"),
    "stage_check": ("方案检查", "checking the plan"),
    "stage_simulate": ("模拟评估", "simulating the plan"),
    # --- solver diagnosis ---
    "diag_late": (
        "方案预计 {finish} 才能完成（p90），晚于截止时间 {deadline}",
        "the plan finishes at {finish} (p90), after the deadline {deadline}",
    ),
    "diag_more_role": (
        "再增加 {people} 名{role}（全程在岗）可在截止前完成",
        "{people} more {role}s (on duty all round) would meet the deadline",
    ),
    "diag_more_crews": (
        "或再增加 {crews} 组采样台人员（采样员 + 登记员）",
        "or {crews} more desk crews (sampler + registrar)",
    ),
    "diag_more_desks": (
        "采样台不足：约需再增加 {desks} 个采样台",
        "desks short: about {desks} more desks needed",
    ),
    "diag_uncalled": (
        "扫楼员不足：{waves} 个呼叫批次（{people} 人）无人呼叫",
        "sweepers short: {waves} calling waves ({people} people) have nobody to call them",
    ),
    "diag_unfilled": (
        "排班缺口：共 {hours:.1f} 人·时无人可排",
        "roster gaps: {hours:.1f} person-hours could not be staffed",
    ),
    # --- KPIs (simulate, compare, page) ---
    "kpi_plan": ("方案", "plan"),
    "kpi_finish": ("完成时间", "finish"),
    "kpi_done_by_deadline": ("截止前完成", "done by deadline"),
    "kpi_peak_queue": ("最长排队（人）", "peak queue (people)"),
    "kpi_wait_p95_min": ("95% 等待（分钟）", "p95 wait (min)"),
    "kpi_wait_p95_worst_site_min": (
        "等待最长点位的 95% 等待（分钟）",
        "p95 wait at the worst site (min)",
    ),
    "kpi_worst_site": ("{stat}，{site}", "{stat}, {site}"),
    "kpi_walking_km": ("步行总量（人·公里）", "walking (person-km)"),
    "kpi_staff_hours": ("人员工时", "staff-hours"),
    "kpi_lower_bound": ("完成时间下界", "finish lower bound"),
    "kpi_unserved": ("到场未采样", "came but not sampled"),
    "kpi_over_capacity": ("排队超出容量的点位", "sites over queue capacity"),
    "kpi_none": ("无", "none"),
    "kpi_stat": ("{mean}（p10 {p10}，p90 {p90}）", "{mean} (p10 {p10}, p90 {p90})"),
    "kpi_reps": ("{reps} 次重复模拟，种子 {seed}", "{reps} replications, seed {seed}"),
    # --- summary ---------------------------------------------------------------------------------
    "sum_title": ("场景摘要：{name}", "Scenario summary: {name}"),
    "sum_synthetic": ("（合成数据）", "(synthetic data)"),
    "sum_round": ("轮次", "Round"),
    "sum_round_value": (
        "{date} {start}–{deadline}（{hours:.1f} 小时），通知于 {notice}",
        "{date} {start}-{deadline} ({hours:.1f} h), notice at {notice}",
    ),
    "sum_residents": ("居民", "Residents"),
    "sum_residents_value": (
        "{residents:,} 人，{households:,} 户；到点采样 {mobile:,} 人，上门采样 {door:,} 人",
        "{residents:,} people in {households:,} households; {mobile:,} walk to a site, "
        "{door:,} sampled at the door",
    ),
    "sum_buildings": ("楼栋", "Buildings"),
    "sum_buildings_value": (
        "{buildings:,} 栋（{committees:,} 个居民区，{compounds:,} 个小区）；有电梯 {lift:,} 栋，封控 {locked:,} 栋",
        "{buildings:,} in {committees:,} committees and {compounds:,} compounds; {lift:,} with a lift, "
        "{locked:,} locked down",
    ),
    "sum_sites": ("候选采样点", "Candidate sites"),
    "sum_sites_value": (
        "{sites:,} 个，最多 {desks:,} 个采样台，排队容量合计 {queue:,} 人",
        "{sites:,} with at most {desks:,} desks and room for {queue:,} people in line",
    ),
    "sum_staff": ("人员", "Staff"),
    "sum_staff_value": (
        "采样员 {sampler:,}，登记员 {registrar:,}，秩序维护 {marshal:,}，扫楼 {sweeper:,}",
        "{sampler:,} samplers, {registrar:,} registrars, {marshal:,} marshals, {sweeper:,} sweepers",
    ),
    "sum_guide": ("国家指南对照", "National guide"),
    "sum_guide_value": (
        "点位每 2000–3000 人 1 个：需 {sites_lo:,}–{sites_hi:,} 个（有 {sites:,}）；"
        "采样台每 600–800 人 1 个：需 {desks_lo:,}–{desks_hi:,} 个（有 {desks:,}）；"
        "采样员约人口/360：{samplers_need:,}（有 {samplers:,}）",
        "one site per 2,000-3,000 people: {sites_lo:,}-{sites_hi:,} (have {sites:,}); "
        "one desk per 600-800 people: {desks_lo:,}-{desks_hi:,} (have {desks:,}); "
        "samplers about population/360: {samplers_need:,} (have {samplers:,})",
    ),
    "sum_demand": ("工作量", "Workload"),
    "sum_demand_value": (
        "到点采样 {desk_hours:.1f} 台·时，上门 {door_hours:.1f} 组·时，扫楼 {sweep_hours:.1f} 人·时",
        "{desk_hours:.1f} desk-hours at sites, {door_hours:.1f} team-hours at doors, "
        "{sweep_hours:.1f} sweeper-hours calling",
    ),
    "sum_bound": ("最早完成时间（下界）", "Earliest finish (lower bound)"),
    "sum_bound_value": (
        "{bound}（截止 {deadline}）",
        "{bound} (deadline {deadline})",
    ),
    "sum_bound_never": ("人员或台位不足，无法完成", "never: not enough staff or desks"),
    # --- page: plan views, edits, versions, downloads (issue 6) ----------------------------------
    # view: plan page
    "view_plan_title": ("方案", "Plan"),
    "view_scenario_in_use": ("当前场景：{name}（{folder}）", "Scenario in use: {name} ({folder})"),
    "view_no_plan": (
        "还没有方案：在“方案”页点击“求解”。",
        "No plan yet: press Solve on the Plan page.",
    ),
    "view_time_limit": ("求解时限（秒）", "Time limit (s)"),
    "view_seed": ("随机种子", "Seed"),
    "view_short_wait": ("可接受等待（分钟）", "Short wait (min)"),
    "view_short_wait_help": (
        "95% 等待不超过此值的方案视为等待短，其中完成更早者优先（等待 1 分钟折合完成晚 3 分钟）；"
        "超过此值时等待短者优先。",
        "Plans whose p95 wait is at most this count as short-waiting, and the earlier finish "
        "wins among them (a minute of wait counts as three of finish); beyond it, shorter "
        "waits come first.",
    ),
    "view_solve": ("求解", "Solve"),
    "view_solve_again": ("重新求解", "Solve again"),
    "view_stop": ("停止并采用当前最优方案", "Stop and keep the best plan so far"),
    "view_stopping": ("正在停止……", "stopping..."),
    "view_starting": ("启动", "starting"),
    "view_solving": (
        "求解中（已用 {seconds} 秒），最近进展：{stage}",
        "Solving ({seconds} s so far); latest: {stage}",
    ),
    "view_incumbent": (
        "当前最优选点方案：步行等 {objective} 人·公里（与下界差距 {gap}）",
        "best site assignment so far: {objective} person-km walking and opening (gap to bound {gap})",
    ),
    "view_version_line": (
        "版本 {id}：{label}，已修改 {edits} 处",
        "version {id}: {label}, {edits} edits",
    ),
    "view_cards_vs_stagger": (
        "卡片中的变化量相对于“分时错峰”基准方案。",
        "Card deltas are against the stagger baseline.",
    ),
    "view_this_plan": ("本方案", "this plan"),
    "view_unserved": (
        "平均 {people} 人到场后已无采样台开放，完成时间无法确定（见“方案检查”与各点位图）",
        "on average {people} people came when no desk was open any more, so there is no finish time (see the check and the site charts)",
    ),
    "view_broadcast": ("基准：同时广播", "baseline: broadcast"),
    "view_stagger": ("基准：分时错峰", "baseline: stagger"),
    "view_delta_min": ("{value} 分钟", "{value} min"),
    "view_delta_pp": ("{value} 个百分点", "{value} pp"),
    "view_solve_failed": (
        "求解没有完成，当前方案不变。可以重试；如果再次失败，请把下面的详细信息交给技术人员。",
        "The solve did not finish; the plan is unchanged. Try again; if it fails again, pass the details below to whoever supports the planner.",
    ),
    "app_title": ("核酸筛查规划", "Screening planner"),
    "page_scenario": ("场景", "Scenario"),
    "page_plan": ("方案", "Plan"),
    "page_edit": ("修改", "Edit"),
    "page_print": ("打印", "Print"),
    "page_progress": ("进度看板", "Progress"),
    "view_tab_map": ("地图", "Map"),
    "view_tab_sites": ("各采样点", "Sites"),
    "view_tab_timeline": ("呼叫时间线", "Calling timeline"),
    "view_tab_roster": ("排班", "Roster"),
    "view_tab_check": ("方案检查", "Check"),
    "view_map_caption": (
        "{buildings:,} 栋楼按所去采样点着色；方块为采样点（开放 {sites} 个，大小表示台数，空心为未开放）；虚线为 {teams} 个上门小组的路线。",
        "{buildings:,} buildings coloured by their site; squares are sites sized by desks ({sites} open, hollow = closed); dashed lines are the routes of {teams} door teams.",
    ),
    "view_site": ("采样点", "site"),
    "view_building": ("楼栋", "building"),
    "view_committee": ("居民区", "committee"),
    "view_residents": ("居民", "residents"),
    "view_desks": ("采样台", "desks"),
    "view_max_desks": ("最多台数", "max desks"),
    "view_name": ("名称", "name"),
    "view_team": ("上门小组", "door team"),
    "view_time": ("时间", "time"),
    "view_queue": ("排队人数（均值，p10–p90）", "queue (mean, p10-p90)"),
    "view_floors": ("楼层", "floors"),
    "view_people": ("人数", "people"),
    "view_sweeper_id": ("扫楼员", "sweeper"),
    "view_call_time": ("呼叫时间", "call time"),
    "view_timeline_by": ("每行一个", "one row per"),
    "view_site_id": ("采样点", "site"),
    "view_col_severity": ("级别", "severity"),
    "view_col_file": ("文件", "file"),
    "view_col_row": ("行", "row"),
    "view_col_column": ("列", "column"),
    "view_col_problem": ("问题", "problem"),
    "view_col_site_id": ("采样点", "site"),
    "view_col_name": ("名称", "name"),
    "view_col_arrivals": ("到场人数", "arrivals"),
    "view_col_peak_queue": ("最长排队（均值）", "peak queue (mean)"),
    "view_col_peak_queue_p90": ("最长排队（p90）", "peak queue (p90)"),
    "view_col_queue_capacity": ("排队容量", "queue capacity"),
    "view_col_wait_p95": ("95% 等待（分钟）", "p95 wait (min)"),
    "view_col_utilisation": ("采样台利用率", "desk utilisation"),
    "view_col_over": ("超出容量", "over capacity"),
    "view_col_building_id": ("楼栋", "building"),
    "view_col_floors": ("楼层", "floors"),
    "view_col_people": ("人数", "people"),
    "view_col_sweeper_id": ("扫楼员", "sweeper"),
    "view_col_start": ("开始", "start"),
    "view_col_end": ("结束", "end"),
    "view_col_staff_id": ("人员编号", "staff id"),
    "view_col_role": ("岗位", "role"),
    "view_col_post": ("岗位地点", "post"),
    "view_col_hours": ("小时", "hours"),
    # edits
    "edit_title": ("修改方案", "Change the plan"),
    "edit_building": ("楼栋 {building}", "building {building}"),
    "edit_wave": (
        "楼栋 {building} 自 {floor} 层起的批次",
        "the wave of building {building} from floor {floor}",
    ),
    "edit_to_site": ("改到采样点 {site}", "to site {site}"),
    "edit_at_time": ("首批 {time} 呼叫", "called at {time}"),
    "edit_and": ("，", ", "),
    "edit_move": ("{what}：{change}", "move {what} {change}"),
    "edit_during": ("（{start}–{end}）", " ({start}-{end})"),
    "edit_set_desks": (
        "采样点 {site} 设为 {desks} 个采样台{when}",
        "site {site}: {desks} desks{when}",
    ),
    "edit_close_site": (
        "关闭采样点 {site}（楼栋改去最近的开放点位）",
        "close site {site} (its buildings go to the nearest open site)",
    ),
    "edit_absent": ("{staff} 缺勤（取消其班次）", "{staff} absent (shifts removed)"),
    "edit_tab_building": ("调整楼栋", "Move a building"),
    "edit_tab_wave": ("调整批次", "Move a wave"),
    "edit_tab_desks": ("采样台数", "Desks"),
    "edit_tab_close": ("关闭点位", "Close a site"),
    "edit_tab_absent": ("人员缺勤", "Staff absent"),
    "edit_new_site": ("改去采样点", "to site"),
    "edit_pick_hint": ("在地图上点击楼栋即可选中它", "click a building on the map to choose it"),
    "edit_pick_door_only": (
        "楼栋 {building} 只有上门采样，没有可调整的呼叫批次",
        "building {building} is sampled at the door only: it has no calling wave to move",
    ),
    "edit_new_time": ("首批呼叫时间（HH:MM，留空不变）", "first call at (HH:MM, empty = keep)"),
    "edit_keep": ("不变", "keep"),
    "edit_bad_time": ("时间应为 HH:MM，例如 07:30", "a time is HH:MM, e.g. 07:30"),
    "edit_apply": ("应用修改", "Apply"),
    "edit_wave_choice": ("批次", "wave"),
    "edit_wave_label": ("{lo}–{hi} 层", "floors {lo}-{hi}"),
    "edit_now": ("现在：{site}，{time} 呼叫", "now: {site}, called at {time}"),
    "edit_from": ("从（HH:MM，留空为全天）", "from (HH:MM, empty = all day)"),
    "edit_to": ("到（HH:MM，留空为全天）", "to (HH:MM, empty = all day)"),
    "edit_close": ("关闭该点位", "Close this site"),
    "edit_staff": ("人员", "staff member"),
    "edit_absent_apply": ("标记为缺勤", "Mark absent"),
    "edit_list_title": ("修改记录（{count} 条）", "Edits ({count})"),
    "edit_col_edit": ("修改", "edit"),
    "edit_undo": ("撤销上一步", "Undo the last edit"),
    "edit_undone": ("已撤销：{edit}", "undone: {edit}"),
    "edit_reoptimise": ("保留我的修改，重新优化其余部分", "Re-optimise around my changes"),
    "edit_cards_vs_before": (
        "卡片中的变化量相对于上一步修改之前。",
        "Card deltas are against the plan before the last edit.",
    ),
    "edit_newly_over": ("修改后排队超出容量的点位：{sites}", "now over queue capacity: {sites}"),
    "edit_over": ("排队超出容量的点位：{sites}", "sites over queue capacity: {sites}"),
    "edit_sep": ("；", "; "),
    "edit_not_saved": (
        "无法保存到 {folder}，这一步没有执行：{what}（请检查磁盘空间与权限后重试）",
        "could not save to {folder}, so this was not done: {what} (check disk space and permissions, then try again)",
    ),
    "edit_changed_elsewhere": (
        "另一个会话刚修改了这个版本，已载入它的 {count} 处修改；你的这一步没有执行：{what}（如仍需要请重做）",
        "another session changed this version meanwhile; its {count} edits are now shown and this was not done: {what} (do it again if still wanted)",
    ),
    "edit_details": ("详细信息", "details"),
    "edit_wave_approx": (
        "注意：重新优化只能近似保留批次修改（楼栋 {buildings}）：整栋楼改去所移批次的采样点，首批呼叫时间固定为现在的时间；所移批次自己的呼叫时间可能改变。",
        "Note: re-optimising keeps wave edits only approximately (buildings {buildings}): the whole building goes to the moved wave's site and keeps its current first call time; the moved wave's own time may change.",
    ),
    "edit_undo_what": ("撤销“{edit}”", "undoing {edit}"),
    "edit_err_unknown_site": ("没有采样点 {site}", "there is no site {site}"),
    "edit_err_unknown_building": ("没有楼栋 {building}", "there is no building {building}"),
    "edit_err_no_calls": (
        "楼栋 {building} 在方案中没有呼叫批次",
        "building {building} has no calling wave in the plan",
    ),
    "edit_err_no_wave": (
        "楼栋 {building} 没有自 {floor} 层起的批次",
        "building {building} has no wave from floor {floor}",
    ),
    "edit_err_desks_range": (
        "采样点 {site} 的台数应在 0 到 {top} 之间（输入为 {desks}）",
        "site {site} takes 0 to {top} desks ({desks} asked)",
    ),
    "edit_err_negative_time": (
        "时间不能早于当天 00:00（{minutes} 分钟）",
        "a time cannot be before 00:00 ({minutes} min)",
    ),
    "edit_err_outside_hours": (
        "采样点 {site} 的开放时间为 {open}–{close}，{start}–{end} 超出了这个范围",
        "site {site} is open {open}-{close}: {start}-{end} is outside that",
    ),
    "edit_err_empty_interval": (
        "采样点 {site}：{start}–{end} 是空时段（开始须早于结束，未填的一端取该点现有的开放时段）",
        "site {site}: {start}-{end} is an empty time window (the start must come before the end; a bound left empty is the site's current open span)",
    ),
    "edit_err_unknown_staff": ("没有人员 {staff}", "there is no staff member {staff}"),
    "edit_err_kind": ("未知的修改类型“{kind}”", 'unknown kind of edit "{kind}"'),
    "edit_err_fields": (
        "修改“{kind}”的字段有误：{error}",
        'edit "{kind}" has wrong fields: {error}',
    ),
    "edit_table_blank": (
        "采样点 {site}：台数不能为空（0 表示关闭），未修改",
        "site {site}: the desks cell cannot be empty (0 closes the site); nothing changed",
    ),
    "edit_table_bad": (
        "采样点 {site}：“{value}”不是采样台数（0 或正整数），未修改",
        'site {site}: "{value}" is not a number of desks (0 or a whole number); nothing changed',
    ),
    "edit_table_clamped": (
        "采样点 {site} 最多 {top} 个采样台，已设为 {top}（输入为 {value}）",
        "site {site} has at most {top} desks: set to {top} ({value} typed)",
    ),
    "edit_table_flattened": (
        "采样点 {site} 原来各时段台数不同，现在全天均为 {desks} 个；只改某一时段请用下方表单",
        "site {site} had desks varying over the day: now {desks} all day (the form below changes one time window)",
    ),
    # versions
    "ver_title": ("方案版本（自动保存）", "Plan versions (saved automatically)"),
    "ver_none": ("还没有保存的版本", "no saved version yet"),
    "ver_col_id": ("版本", "version"),
    "ver_col_label": ("来源", "made by"),
    "ver_col_parent": ("基于", "from"),
    "ver_col_edits": ("修改数", "edits"),
    "ver_col_updated": ("最后修改（UTC）", "last change (UTC)"),
    "ver_choose": ("打开版本", "open version"),
    "ver_open": ("打开", "Open"),
    "ver_opened": ("已打开版本 {id}", "version {id} opened"),
    "ver_unreadable": (
        "版本 {id} 无法读取（文件可能被手动改过），已跳过",
        "version {id} cannot be read (its files may have been changed by hand): skipped",
    ),
    "ver_where": (
        "保存位置：{folder}（环境变量 PLANNER_HOME 可修改）",
        "kept in {folder} (set PLANNER_HOME to change)",
    ),
    "ver_home_fallback": (
        "无法写入 {wanted}，方案版本暂存在临时文件夹 {folder}（重启电脑后可能丢失）：请设置可写的 PLANNER_HOME 后重启页面",
        "{wanted} cannot be written, so versions are kept in the temporary folder {folder} (may be lost on a restart): set PLANNER_HOME to a writable folder and restart the page",
    ),
    "ver_label_solve": ("求解（{seconds} 秒）", "solved ({seconds} s)"),
    "ver_label_reoptimise": (
        "按修改重新优化（{seconds} 秒）",
        "re-optimised around edits ({seconds} s)",
    ),
    "ver_label_stopped": ("，提前停止", ", stopped early"),
    # print
    "print_title": ("打印与下载", "Print and download"),
    "print_sheets": ("现场用表（PDF）", "Field sheets (PDF)"),
    "print_one_site": ("采样点 {site} 用表", "sheet of site {site}"),
    "print_all_sites": ("全部采样点用表", "all site sheets"),
    "print_all_routes": ("全部扫楼与上门路线", "all sweeper and door-team routes"),
    "print_site_routes": (
        "采样点 {site} 的扫楼与上门路线",
        "routes of site {site}'s sweepers and door teams",
    ),
    "print_site_notices": ("采样点 {site} 各楼栋通知", "notices of site {site}'s buildings"),
    "print_notice_langs": ("通知语言（每种语言一页）", "notice languages (one page each)"),
    "print_notices": ("全部楼栋通知", "all building notices"),
    "print_cover": ("指挥部总表", "command post cover"),
    "print_plan_folder": ("方案文件", "Plan folder"),
    "print_plan_zip": ("方案文件夹（zip）", "plan folder (zip)"),
    "print_prepare": ("生成：{what}", "Make: {what}"),
    "print_download": ("下载：{what}", "Download: {what}"),
    "print_working": ("正在生成……", "making..."),
    "print_ready": ("{name}，{size} KB", "{name}, {size} KB"),
    # scenario page
    "scen_upload_help": (
        "上传 zip 压缩的场景文件夹，或同时选中 scenario.toml 与 buildings / sites / staff 表",
        "a zipped scenario folder, or scenario.toml with the buildings / sites / staff tables together",
    ),
    "scen_next": ("下一步：求解方案", "Next: solve a plan"),
    # (end of page section)
    # --- replay: sampling logs, reconstruction, calibration (issue 7) ----------------------------
    # sampling log rows (never echo a personal identifier in these)
    "log_missing": ("找不到采样记录文件", "sampling log file not found"),
    "log_unreadable": (
        "无法按 CSV 读取（检查分隔符、引号与编码）",
        "cannot be read as CSV (check separators, quotes and encoding)",
    ),
    "log_bad_tz": (
        "未知时区“{value}”（如 Asia/Shanghai）",
        'unknown time zone "{value}" (e.g. Asia/Shanghai)',
    ),
    "log_bad_columns": (
        "这一行的字段数与表头不符（多了或少了逗号），已跳过",
        "this row has a different number of fields than the header (a comma too many or too few): row skipped",
    ),
    "log_duplicate_column": (
        "有两列对应同一字段，使用第一列",
        "two columns map to this field: the first one is used",
    ),
    "log_mapping_table": (
        '应为表（[columns] 下写 "列名" = "字段"）',
        'must be a table ([columns] with "column name" = "field" lines)',
    ),
    "log_column_missing": (
        "缺少必填列（可用中文列名如 采样点、采样时间，或用 --mapping 映射列名）",
        "required column is missing (Chinese export names such as 采样点, 采样时间 work, or map names with --mapping)",
    ),
    "log_unknown_field": (
        "映射目标“{value}”不是记录字段（可选：site_id, sampled_at, desk, tube_id, building_id, person, arrived_at）",
        'mapping target "{value}" is not a log field (one of: site_id, sampled_at, desk, tube_id, building_id, person, arrived_at)',
    ),
    "log_unknown_site": (
        "未知采样点“{value}”（场景中没有），已跳过",
        'unknown site "{value}" (not in the scenario): row skipped',
    ),
    "log_unknown_building": (
        "未知楼栋“{value}”（场景中没有），已跳过",
        'unknown building "{value}" (not in the scenario): row skipped',
    ),
    "log_bad_time": (
        "“{value}”不是时间（如 2022-03-16 06:01:02 或 06:01），已跳过",
        '"{value}" is not a time (e.g. 2022-03-16 06:01:02 or 06:01): row skipped',
    ),
    "log_other_day": (
        "时间“{value}”不在本轮日期，已跳过",
        'time "{value}" is not on the round\'s day: row skipped',
    ),
    "log_arrived_after": (
        "到达时间“{value}”晚于采样时间，已跳过",
        'arrival "{value}" is after the sampling time: row skipped',
    ),
    "log_sampled_twice": (
        "同一人已在第 {first} 行采样（两行都保留）",
        "the same person was sampled at row {first} (both rows kept)",
    ),
    # how parameters were fitted
    "cal_patch_bound": (
        "{key} ≤ {value}：无到达时间，只是上限（含空闲时间），未写入",
        "{key} <= {value}: an upper bound without arrival times (idle time included), not applied",
    ),
    "cal_service_busy": ("采样台忙碌时相邻两次采样的间隔", "gaps between samples at a busy desk"),
    "cal_service_all": (
        "采样台相邻两次采样的全部间隔（无到达时间，含空闲，偏大）",
        "all gaps between samples at a desk (no arrival times: includes idle time, an upper bound)",
    ),
    "cal_turnout_plan": ("已采样人数 / 方案呼叫人数", "people sampled / people the plan called"),
    "cal_turnout_residents": (
        "已采样人数 / 可到点居民数（无方案）",
        "people sampled / mobile residents (no plan given)",
    ),
    "cal_response_calls": (
        "呼叫后到达的平均延迟 × 2（仅步行楼层的呼叫）",
        "2 x mean delay of arrivals after a call (stairs-only calls)",
    ),
    "cal_patch_note": (
        "由 {n:,} 个观测拟合，标准误 {se:.3g}",
        "fitted from {n:,} observations, standard error {se:.3g}",
    ),
    "cal_patch_ks": (
        "，与对数正态分布的 KS 距离 {ks:.3f}",
        ", KS distance to the lognormal law {ks:.3f}",
    ),
    "cal_not_fitted": (
        "数据不足，未拟合（沿用场景值）",
        "not enough data: not fitted (scenario value kept)",
    ),
    # report and CLI summary
    "rp_title": ("回放报告：{name}", "Replay report: {name}"),
    "rp_rows": (
        "记录 {rows:,} 行：采用 {kept:,} 行，跳过 {skipped:,} 行",
        "{rows:,} log rows: {kept:,} used, {skipped:,} skipped",
    ),
    "rp_problems": (
        "错误 {errors:,} 条（已跳过），提醒 {warnings:,} 条",
        "{errors:,} errors (rows skipped), {warnings:,} warnings",
    ),
    "rp_hashed": (
        "已将 {count:,} 个个人标识替换为加盐哈希，输出中不含明文。",
        "{count:,} personal identifiers replaced by salted hashes; none is written in clear.",
    ),
    "rp_salt_given": ("盐值由 --salt 提供。", "Salt from --salt."),
    "log_empty_salt": ("盐值文件为空", "the salt file is empty"),
    "rp_salt_file": ("盐值取自 --salt-file 文件。", "Salt from --salt-file."),
    "rp_salt_env": ("盐值取自环境变量 PLANNER_REPLAY_SALT。", "Salt from PLANNER_REPLAY_SALT."),
    "rp_salt_random": (
        "盐值为随机生成且未保存：不同次导入的哈希无法相互关联。",
        "Random salt, stored nowhere: hashes of two imports cannot be linked.",
    ),
    "rp_span": (
        "{sites:,} 个采样点、{desks:,} 个采样台，{first} 至 {last}",
        "{sites:,} sites, {desks:,} desks, {first} to {last}",
    ),
    "rp_fitted": (
        "拟合 {key} = {value}（{n:,} 个观测；{method}）",
        "fitted {key} = {value} ({n:,} observations; {method})",
    ),
    "rp_written": (
        "回放报告已写入 {out}（{files} 个文件）",
        "replay report written to {out} ({files} files)",
    ),
    "rp_h_sites": ("各采样点", "Sites"),
    "rp_h_committees": ("各居民区进度", "Committees"),
    "rp_h_calibration": ("参数校准", "Calibration"),
    "rp_h_versus": ("方案与实际", "Plan against what happened"),
    "rp_h_whatif": ("假设推演", "What if"),
    "rp_h_problems": ("记录中的问题", "Problems in the log"),
    "rp_patch": ("可粘贴到 scenario.toml 的补丁：", "Patch for scenario.toml:"),
    "rp_whatif_note": (
        "用校准后的参数重新模拟同一天：实际使用的方案与新求解的方案（相同随机数）。",
        "The same day re-simulated with the calibrated parameters: the plan used and a newly solved plan (same random numbers).",
    ),
    "rp_whatif_note_used": (
        "用校准后的参数重新模拟同一天的实际方案。",
        "The plan used, re-simulated on the same day with the calibrated parameters.",
    ),
    "log_no_rows": (
        "{rows:,} 行中没有可用的记录，无法回放",
        "none of the {rows:,} rows can be used: nothing to replay",
    ),
    "rp_plan_used": ("实际方案", "plan used"),
    "rp_plan_new": ("新方案", "new plan"),
    "rp_plan_change": ("差值（新 − 实际）", "change (new - used)"),
    "rp_more_problems": (
        "共 {count:,} 条，全部见 problems.csv",
        "{count:,} in all: see problems.csv",
    ),
    "rp_no_problems": ("没有问题。", "No problems."),
    "rp_c_site": ("采样点", "site"),
    "rp_c_name": ("名称", "name"),
    "rp_c_samples": ("已采样", "sampled"),
    "rp_c_desks": ("采样台", "desks"),
    "rp_c_first": ("首次", "first"),
    "rp_c_last": ("末次", "last"),
    "rp_c_per_hour": ("每小时", "per hour"),
    "rp_c_service": ("服务时间（秒）", "service (s)"),
    "rp_c_peak": ("最长排队", "peak in line"),
    "rp_c_tubes": ("试管", "tubes"),
    "rp_c_per_tube": ("每管人数", "people per tube"),
    "rp_c_not_full": ("未满管", "tubes not full"),
    "rp_c_committee": ("居民区", "committee"),
    "rp_c_mobile": ("应到点人数", "to come down"),
    "rp_c_share": ("完成比例", "share"),
    "rp_c_half": ("过半时间", "half done"),
    "rp_c_parameter": ("参数", "parameter"),
    "rp_c_before": ("原值", "before"),
    "rp_c_fitted": ("拟合值", "fitted"),
    "rp_c_n": ("观测数", "n"),
    "rp_c_se": ("标准误", "standard error"),
    "rp_c_method": ("方法", "method"),
    "rp_c_called": ("呼叫人数", "called"),
    "rp_c_planned_arrivals": ("预计到达", "planned arrivals"),
    "rp_c_planned_last": ("预计末次", "planned last"),
    "rp_c_late": ("晚于预计（分钟）", "late (min)"),
    "cli_log_written": (
        "采样记录已写入 {out}（{rows:,} 行）",
        "sampling log written to {out} ({rows:,} rows)",
    ),
    "cli_log_unreadable": (
        "采样记录无法使用（{count} 个问题）",
        "the sampling log cannot be used ({count} problems)",
    ),
    # progress board (issue 6, seed 003's dashboard)
    "pb_title": ("进度看板", "Progress board"),
    "pb_plan_path": ("方案文件夹路径", "Plan folder path"),
    "pb_log_upload": ("上传采样记录（CSV 或 Parquet）", "Upload the sampling log (CSV or Parquet)"),
    "pb_log_path": ("或填写采样记录路径", "or the sampling log's path"),
    "pb_now": ("截至时间（HH:MM）", "Now (HH:MM)"),
    "pb_run": ("刷新看板", "Update the board"),
    "pb_need_inputs": (
        "请选择场景、方案和采样记录。",
        "Choose a scenario, a plan and a sampling log.",
    ),
    "pb_bad_now": ("“{value}”不是 HH:MM 时间", '"{value}" is not a HH:MM time'),
    "pb_totals": (
        "截至 {now}：已采 {done:,} 人，计划应采 {expected:,.0f} 人，尚余 {remaining:,} 人",
        "at {now}: {done:,} sampled, {expected:,.0f} expected by the plan, {remaining:,} to go",
    ),
    "pb_flagged": ("{count} 个采样点落后于方案", "{count} sites are behind the plan"),
    "pb_sites": ("各采样点", "Sites"),
    "pb_committees": ("各居民区", "Committees"),
    "pb_chart": ("已采与计划应采", "Done and expected"),
    "pb_c_site": ("采样点", "site"),
    "pb_c_committee": ("居民区", "committee"),
    "pb_c_total": ("应采总数", "to sample"),
    "pb_c_done": ("已采", "done"),
    "pb_c_expected": ("计划应采", "expected"),
    "pb_c_remaining": ("尚余", "remaining"),
    "pb_c_slip": ("差额", "slip"),
    "pb_c_behind": ("落后（分钟）", "behind (min)"),
    "pb_c_flag": ("落后", "slipping"),
    # (end of replay section)
    # --- solver bounds (issue 4) -----------------------------------------------------------------
    "stage_incumbent": (
        "    更优方案：步行等 {objective:,.0f} 人·米（下界 {bound:,.0f}，差距 {gap:.1%}）",
        "    better plan: {objective:,.0f} person-metres walking and opening (bound {bound:,.0f}, gap {gap:.1%})",
    ),
    "cli_bad_lang": (
        "不支持的语言“{value}”：请用 zh 或 en",
        'language "{value}" is not supported: use zh or en',
    ),
    # (end of solver bounds section)
}


class Ref(str):
    """A message value that is itself a catalogue key, translated when the message is shown."""

    __slots__ = ()


def default_lang() -> Lang:
    """The language from ``PLANNER_LANG`` (``zh`` or ``en``), Chinese when unset or unknown."""
    value = os.environ.get("PLANNER_LANG", "zh").strip().lower()
    return "en" if value.startswith("en") else "zh"


def text(key: str, lang: Lang | None = None, /, **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``.

    Raises
    ------
    KeyError
        When ``key`` is not in the catalogue (a programming error, caught by the tests).
    """
    chosen = lang or default_lang()
    zh, en = CATALOGUE[key]
    template = en if chosen == "en" else zh
    shown = {k: text(v, chosen) if isinstance(v, Ref) else v for k, v in values.items()}
    return template.format(**shown)
