"""Finding, checking and registering the CJK font that every printed sheet embeds.

A PDF that names a Chinese font without embedding it prints blank boxes on a machine that lacks
that font, so sheets always embed a TrueType subset of a CJK font. reportlab embeds TrueType
outlines only: OpenType fonts with PostScript (CFF) outlines, such as the ``.otf`` and many
``.ttc`` builds of Noto Sans CJK, are recognised here and refused with a message that says so.

Where the font comes from, in order: the ``explicit`` path (the CLI's ``--font``), the
``PLANNER_FONT`` environment variable, then well-known system paths on Linux, macOS and Windows.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from planner.messages import Lang, text

#: Environment variable naming a font file, for callers without a ``--font`` option.
FONT_ENV = "PLANNER_FONT"

#: Characters every usable font must have: a font without them is not a Chinese font.
_CJK_PROBE = "核酸采样点楼层"


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def candidate_paths() -> list[Path]:
    """System font files tried in order when no font is given.

    TrueType CJK fonts that also have Japanese kana and Korean hangul come first (WenQuanYi Micro
    Hei has both), so that notices in every language print with the font found first.
    """
    linux = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian/Ubuntu fonts-wqy-microhei
        "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",  # Fedora, Arch
        "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
        "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        # Noto CJK is usually CFF-based and refused, but some distributions ship TrueType builds.
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    ]
    mac = [
        "/System/Library/Fonts/STHeiti Light.ttc",
        "/System/Library/Fonts/STHeiti Medium.ttc",
        "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
        "/Library/Fonts/Arial Unicode.ttf",
        "/System/Library/Fonts/Hiragino Sans GB.ttc",
        "/System/Library/Fonts/Supplemental/Songti.ttc",
    ]
    win = _windows_fonts()
    windows = [win / name for name in ("msyh.ttc", "simhei.ttf", "simsun.ttc", "msjh.ttc")]
    home = Path.home()
    user = [
        home / d / "wqy-microhei.ttc" for d in (".local/share/fonts", ".fonts", "Library/Fonts")
    ]
    return [Path(p) for p in linux + mac] + windows + user


class FontNotFound(RuntimeError):
    """No usable CJK font: missing, unreadable, CFF outlines, or no Chinese glyphs.

    The message comes from the catalogue and says which paths were tried and how to install a
    font (``apt-get install fonts-wqy-microhei``) or pass one (``--font PATH``).
    """


def outline_kind(path: Path, index: int = 0) -> str:
    """The outline format of font ``index`` in ``path``: ``truetype``, ``cff`` or ``unknown``.

    Reads only the sfnt table directory (of the ``index``-th font of a ``.ttc`` collection).
    """
    with path.open("rb") as fh:
        head = fh.read(12)
        offset = 0
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            if index >= count:
                return "unknown"
            fh.seek(12 + 4 * index)
            offset = struct.unpack(">I", fh.read(4))[0]
        fh.seek(offset)
        table_dir = fh.read(12)
        if len(table_dir) < 12:
            return "unknown"
        tables = struct.unpack(">H", table_dir[4:6])[0]
        records = fh.read(16 * tables)
    tags = {records[k : k + 4] for k in range(0, len(records) - 15, 16)}
    if b"glyf" in tags:
        return "truetype"
    if b"CFF " in tags or b"CFF2" in tags or table_dir[:4] == b"OTTO":
        return "cff"
    return "unknown"


@dataclass
class CJKFont:
    """A registered CJK font: its reportlab name, file and character map."""

    name: str
    path: Path
    chars: frozenset[int] = field(repr=False)

    def missing(self, sample: str) -> str:
        """The characters of ``sample`` the font has no glyph for (spaces ignored), in order."""
        seen = dict.fromkeys(ch for ch in sample if not ch.isspace() and ord(ch) not in self.chars)
        return "".join(seen)


# Fonts registered with reportlab, by resolved path: registering parses the whole file, which
# is done once per process however many sheets are printed.
_REGISTERED: dict[Path, CJKFont] = {}


def load_font(path: Path, lang: Lang | None = None) -> CJKFont:
    """Check ``path`` and register it with reportlab (once per process).

    Raises
    ------
    FontNotFound
        When the file is missing, unreadable, has CFF outlines or has no Chinese glyphs.
    """
    resolved = path.expanduser().resolve()
    if resolved in _REGISTERED:
        return _REGISTERED[resolved]
    if not resolved.is_file():
        raise FontNotFound(text("sheet_font_missing_file", lang, path=path))
    try:
        kind = outline_kind(resolved)
    except OSError as exc:
        raise FontNotFound(text("sheet_font_unreadable", lang, path=path, error=exc)) from exc
    if kind == "cff":
        raise FontNotFound(text("sheet_font_cff", lang, path=path))
    name = f"PlannerCJK{len(_REGISTERED)}"
    try:
        font = TTFont(name, str(resolved), subfontIndex=0)
    except (TTFError, OSError, struct.error, KeyError, ValueError) as exc:
        # reportlab reports CFF outlines it meets itself as TTFError too.
        if "postscript" in str(exc).lower():
            raise FontNotFound(text("sheet_font_cff", lang, path=path)) from exc
        raise FontNotFound(text("sheet_font_unreadable", lang, path=path, error=exc)) from exc
    cjk = CJKFont(name=name, path=resolved, chars=frozenset(font.face.charToGlyph))
    if cjk.missing(_CJK_PROBE):
        raise FontNotFound(text("sheet_font_no_cjk", lang, path=path))
    pdfmetrics.registerFont(font)
    _REGISTERED[resolved] = cjk
    return cjk


def find_cjk_font(explicit: str | Path | None = None, *, lang: Lang | None = None) -> Path:
    """The CJK font file to embed in printed sheets.

    Parameters
    ----------
    explicit
        A font file given by the user (``--font``); when set, it is the only one considered.
    lang
        Language of the error message (default: ``PLANNER_LANG``).

    Returns
    -------
    Path
        A TrueType (``.ttf``) or TrueType collection (``.ttc``) file with Chinese glyphs, already
        registered with reportlab.

    Raises
    ------
    FontNotFound
        With a message naming the path(s) tried and how to install or pass a font.
    """
    if explicit is not None and str(explicit) != "":
        return load_font(Path(explicit), lang).path
    tried: list[str] = []
    refused: list[str] = []
    env = os.environ.get(FONT_ENV, "").strip()
    candidates = ([Path(env)] if env else []) + candidate_paths()
    for path in candidates:
        tried.append(str(path))
        if not path.is_file():
            continue
        try:
            return load_font(path, lang).path
        except FontNotFound as exc:
            refused.append(str(exc))
    shown = "; ".join(tried + refused)
    raise FontNotFound(text("sheet_font_not_found", lang, tried=shown))
