"""Deterministic synthetic scenarios for demos, tests and benchmarks.

:func:`generate` builds a whole scenario folder (``scenario.toml`` plus the ``buildings``, ``sites``
and ``staff`` tables of ``docs/formats.md``) from a preset name and a seed. The same preset and seed
always give the same tables and, through :meth:`GeneratedScenario.write`, byte-identical files.
Every number is drawn from a :class:`numpy.random.Generator` created from the seed and passed
around; no global random state is touched.

The presets and the published figures behind them are described in ``docs/scenarios.md``. All data
is synthetic: names, places and people are invented.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.model import CrewParams, FlowParams, Role

PRESETS: tuple[str, ...] = ("tiny", "compound-103", "town", "district")

BUILDING_COLUMNS: tuple[str, ...] = (
    "building_id",
    "committee",
    "compound",
    "lat",
    "lon",
    "floors",
    "households",
    "residents",
    "immobile",
    "locked",
    "lift",
)
SITE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "committee",
    "lat",
    "lon",
    "max_desks",
    "queue_capacity",
    "open_from",
    "open_to",
)
STAFF_COLUMNS: tuple[str, ...] = (
    "staff_id",
    "name",
    "role",
    "committee",
    "available_from",
    "available_to",
    "max_hours",
)

ROUND_DATE = "2022-03-16"
ROUND_NOTICE = "2022-03-15T23:30:00"
ROUND_START = 6 * 60
ROUND_DEADLINE = 14 * 60

# Published figures (see /docs/scenarios.md for the sources).
PEOPLE_PER_SAMPLER = 360  # national guide, 3rd ed., March 2022: samplers ~ population / 360
CONTEST_RESIDENTS = 18_326  # 2022 modelling-contest community
# (count, floors, units, households per building, occupied share), from the contest statement.
CONTEST_TYPES: tuple[tuple[int, int, int, int, float], ...] = (
    (60, 6, 3, 36, 0.70),
    (20, 11, 2, 44, 0.75),
    (23, 18, 3, 126, 0.80),
)

_M_PER_DEG = 111_320.0  # metres per degree of latitude (and of longitude at the equator)

_COMMITTEE_ROOTS = (
    "新泾", "天山", "仙霞", "虹桥", "华阳", "周桥", "程桥", "北新", "遵义", "茅台",
    "古北", "剑河", "哈密", "威宁", "淞虹", "金钟", "协和", "福泉", "平塘", "安顺",
    "玉屏", "芙蓉", "法华", "武夷", "娄山", "水城", "绥宁", "泉口", "长顺", "虹旭",
)  # fmt: skip
_COMPOUND_FIRST = "天仙虹锦紫春金华茂碧绿翠安和光长怡馨景康玉海桂枫松文书明晶瑞"
_COMPOUND_SECOND = "山霞景绣云晖桥庭林洲湖居平明风园泰乐兰棠花涛苑香珠华盛苗"
_COMPOUND_SUFFIXES = ("小区", "花园", "苑", "新村", "公寓", "家园", "大楼", "名邸")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲萍红燕鹏飞晨宇佳欣怡浩然涵轩婷琪远"
)
_DIGITS = "零一二三四五六七八九"
_SIDES = ("南", "北", "东", "西")
_OPEN_SPACES = ("中心绿地", "篮球场", "会所前", "停车场", "健身苑点", "花园广场")

_DTYPES = {
    **dict.fromkeys(("lat", "lon", "max_hours"), "float64"),
    **dict.fromkeys(("floors", "households", "residents", "immobile", "locked", "lift"), "int64"),
    **dict.fromkeys(("max_desks", "queue_capacity"), "int64"),
}  # every other column is text

_IntArray = npt.NDArray[np.int64]
_FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class GeneratedScenario:
    """A generated scenario: the TOML text and the three tables, ready to write.

    Attributes
    ----------
    toml_text
        Content of ``scenario.toml``.
    buildings, sites, staff
        The tables, with the columns of ``docs/formats.md`` in that order. Booleans are ``0``/``1``
        integers and times are ``HH:MM`` strings, exactly as written to CSV.
    """

    toml_text: str
    buildings: pd.DataFrame
    sites: pd.DataFrame
    staff: pd.DataFrame

    def write(
        self, out_dir: pathlib.Path, fmt: Literal["csv", "parquet"] = "csv"
    ) -> list[pathlib.Path]:
        """Write the scenario folder.

        Parameters
        ----------
        out_dir
            Folder to write into; created with its parents if missing. Files of the same name are
            overwritten.
        fmt
            ``"csv"`` (UTF-8, ``\\n`` line endings, fixed decimals) or ``"parquet"``.

        Returns
        -------
        list of pathlib.Path
            ``scenario.toml`` and the three table files, in that order.

        Raises
        ------
        ValueError
            For an unknown ``fmt``.
        FileExistsError
            When ``out_dir`` already holds a table in the other format: the planner refuses a
            folder with both ``NAME.csv`` and ``NAME.parquet``, so it is not silently created.
        """
        if fmt not in ("csv", "parquet"):
            raise ValueError(f'unknown format "{fmt}"; use "csv" or "parquet"')
        out_dir = pathlib.Path(out_dir)
        other = "parquet" if fmt == "csv" else "csv"
        tables = {"buildings": self.buildings, "sites": self.sites, "staff": self.staff}
        clashes = [
            out_dir / f"{name}.{other}" for name in tables if (out_dir / f"{name}.{other}").exists()
        ]
        if clashes:
            names = ", ".join(str(p) for p in clashes)
            raise FileExistsError(f"{names} already exist; remove them or write {other} instead")
        out_dir.mkdir(parents=True, exist_ok=True)
        toml_path = out_dir / "scenario.toml"
        toml_path.write_bytes(self.toml_text.encode("utf-8"))
        paths = [toml_path]
        for name, frame in tables.items():
            path = out_dir / f"{name}.{fmt}"
            if fmt == "csv":
                text = _csv_frame(frame).to_csv(index=False, lineterminator="\n")
                path.write_bytes(text.encode("utf-8"))
            else:
                frame.to_parquet(path, index=False, engine="pyarrow")
            paths.append(path)
        return paths

    def summary(self) -> dict[str, int]:
        """Headline numbers: residents, households, buildings, committees, sites, staff per role.

        Returns
        -------
        dict of str to int
            Keys ``residents``, ``households``, ``immobile``, ``locked_buildings``, ``buildings``,
            ``committees``, ``compounds``, ``sites``, ``desks`` and one per staff role.
        """
        b, s = self.buildings, self.sites
        roles = self.staff["role"].value_counts()
        out = {
            "residents": int(b["residents"].sum()),
            "households": int(b["households"].sum()),
            "immobile": int(b["immobile"].sum()),
            "locked_buildings": int(b["locked"].sum()),
            "buildings": len(b),
            "committees": int(b["committee"].nunique()),
            "compounds": int(b["compound"].nunique()),
            "sites": len(s),
            "desks": int(s["max_desks"].sum()),
        }
        for role in Role:
            out[f"{role.value}s"] = int(roles.get(role.value, 0))
        return out


def generate(preset: str, seed: int = 0) -> GeneratedScenario:
    """Generate a synthetic scenario.

    Parameters
    ----------
    preset
        One of :data:`PRESETS`: ``"tiny"`` (about 1,500 residents, for tests), ``"compound-103"``
        (the 2022 modelling-contest community of 103 buildings and 18,326 people), ``"town"``
        (about 110,000 residents in 25 committees) or ``"district"`` (six such towns, about
        660,000 residents).
    seed
        Seed of the random generator; the same preset and seed give identical output.

    Returns
    -------
    GeneratedScenario
        The scenario text and tables.

    Raises
    ------
    ValueError
        For an unknown preset; the message names the valid ones.
    """
    if preset not in PRESETS:
        raise ValueError(f'unknown preset "{preset}"; choose one of: {", ".join(PRESETS)}')
    rng = np.random.default_rng(seed)
    world = _World(rng)
    if preset == "tiny":
        origin = (31.2155, 121.3720)
        _tiny(world)
    elif preset == "compound-103":
        origin = (31.2280, 121.3950)
        _contest(world)
    elif preset == "town":
        origin = (31.2150, 121.3700)
        _town(world, prefix="", roots=_COMMITTEE_ROOTS[:5], x0=0.0, y0=0.0)
    else:
        origin = (31.2150, 121.3700)
        spacing = 4_500.0
        for t in range(6):
            col, row = t % 3, t // 3
            _town(
                world,
                prefix=f"T{t + 1}-",
                roots=_COMMITTEE_ROOTS[5 * t : 5 * t + 5],
                x0=(col - 1) * spacing,
                y0=(row - 0.5) * spacing,
            )
    return GeneratedScenario(
        toml_text=_toml_text(preset, seed),
        buildings=_frame(world.buildings, BUILDING_COLUMNS, origin),
        sites=_frame(world.sites, SITE_COLUMNS, origin),
        staff=_frame(world.staff, STAFF_COLUMNS, origin),
    )


# --------------------------------------------------------------------------------------------
# Rows and shared state


@dataclass
class _Building:
    building_id: str
    committee: str
    compound: str
    x: float  # metres east of the origin
    y: float  # metres north of the origin
    floors: int
    households: int
    residents: int
    immobile: int = 0
    locked: int = 0
    lift: int = 0


@dataclass
class _Site:
    site_id: str
    name: str
    committee: str
    x: float
    y: float
    max_desks: int
    queue_capacity: int
    open_from: int
    open_to: int


@dataclass
class _Person:
    staff_id: str
    name: str
    role: str
    committee: str
    available_from: int
    available_to: int
    max_hours: float


@dataclass
class _World:
    """Everything generated so far, and the name pools that keep names unique."""

    rng: np.random.Generator
    buildings: list[_Building] = field(default_factory=list)
    sites: list[_Site] = field(default_factory=list)
    staff: list[_Person] = field(default_factory=list)
    compound_names: set[str] = field(default_factory=set)
    person_names: set[str] = field(default_factory=set)

    def compound_name(self) -> str:
        """A new compound name such as 天山小区, never used before in this scenario."""
        rng = self.rng
        while True:
            name = (
                _COMPOUND_FIRST[rng.integers(len(_COMPOUND_FIRST))]
                + _COMPOUND_SECOND[rng.integers(len(_COMPOUND_SECOND))]
                + _COMPOUND_SUFFIXES[rng.integers(len(_COMPOUND_SUFFIXES))]
            )
            if name[0] != name[1] and name not in self.compound_names:
                self.compound_names.add(name)
                return name

    def person_name(self) -> str:
        """A new synthetic Chinese name (surname and one or two given characters)."""
        rng = self.rng
        while True:
            size = 1 if rng.random() < 0.35 else 2
            chars = rng.integers(len(_GIVEN), size=size)
            name = _SURNAMES[rng.integers(len(_SURNAMES))] + "".join(_GIVEN[c] for c in chars)
            if name not in self.person_names:
                self.person_names.add(name)
                return name


# --------------------------------------------------------------------------------------------
# Small helpers


def _cn_number(n: int) -> str:
    """Chinese numeral for 1 <= n <= 99 (十一, 二十五)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _apportion(total: int, weights: _FloatArray, minimum: int = 0) -> _IntArray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Every part is at least ``minimum``; the parts add up to ``total`` exactly.
    """
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot give {n} parts at least {minimum} out of {total}")
    quota = weights / weights.sum() * rest
    parts = np.floor(quota).astype(np.int64)
    short = rest - int(parts.sum())
    order = np.argsort(-(quota - parts), kind="stable")
    parts[order[:short]] += 1
    return parts + minimum


def _pick(rng: np.random.Generator, options: Sequence[float], p: Sequence[float]) -> float:
    return options[int(rng.choice(len(options), p=p))]


def _grid(
    n: int, x0: float, y0: float, w: float, h: float, aspect: float
) -> list[tuple[float, float]]:
    """``n`` cell centres filling a ``w`` x ``h`` box row by row from the south-west corner.

    ``aspect`` is the wanted column spacing over row spacing (2 for east-west rows of walk-ups).
    """
    cols = max(1, min(n, round(math.sqrt(n * w / h / aspect))))
    rows = math.ceil(n / cols)
    dx, dy = w / cols, h / rows
    return [(x0 + (i % cols + 0.5) * dx, y0 + (i // cols + 0.5) * dy) for i in range(n)]


def _split(
    x0: float, y0: float, w: float, h: float, n: int, road: float
) -> list[tuple[float, ...]]:
    """Split a box into ``n`` blocks (rows of near-equal columns) separated by roads."""
    rows = max(1, round(math.sqrt(n)))
    per_row = [n // rows + (1 if r < n % rows else 0) for r in range(rows)]
    bh = (h - road * (rows - 1)) / rows
    blocks: list[tuple[float, ...]] = []
    for r, k in enumerate(per_row):
        bw = (w - road * (k - 1)) / k
        for c in range(k):
            blocks.append((x0 + c * (bw + road), y0 + r * (bh + road), bw, bh))
    return blocks


# --------------------------------------------------------------------------------------------
# Buildings


def _fill_households(
    rng: np.random.Generator, capacity: _IntArray, occupied: float, people_per_household: float
) -> tuple[_IntArray, _IntArray]:
    """Occupied households (binomial) and residents (each household 1 + Poisson people)."""
    households = rng.binomial(capacity, occupied).astype(np.int64)
    extra = rng.poisson((people_per_household - 1.0) * households).astype(np.int64)
    return households, households + extra


def _place_compound(
    world: _World,
    *,
    committee: str,
    committee_no: int,
    compound: str,
    compound_no: int,
    block: tuple[float, ...],
    floors: Sequence[int],
    households: Sequence[int],
    residents: Sequence[int],
    first_number: int = 1,
    prefix: str = "",
) -> list[_Building]:
    """Lay buildings out in rows inside a block (walk-ups south, towers north) and record them."""
    x0, y0, w, h = block
    margin = min(20.0, 0.1 * min(w, h))
    spots = _grid(len(floors), x0 + margin, y0 + margin, w - 2 * margin, h - 2 * margin, aspect=2.0)
    jitter = world.rng.uniform(-3.0, 3.0, size=(len(floors), 2))
    out = []
    for i, (f, hh, res) in enumerate(zip(floors, households, residents, strict=True)):
        number = first_number + i
        b = _Building(
            building_id=f"{prefix}C{committee_no:02d}-K{compound_no}-B{number:03d}",
            committee=committee,
            compound=compound,
            x=spots[i][0] + jitter[i, 0],
            y=spots[i][1] + jitter[i, 1],
            floors=int(f),
            households=int(hh),
            residents=int(res),
            lift=int(f >= 7),
        )
        out.append(b)
    world.buildings.extend(out)
    return out


def _add_immobile(rng: np.random.Generator, buildings: Sequence[_Building], share: float) -> None:
    """Bedridden residents: about ``share`` of each building."""
    res = np.array([b.residents for b in buildings], dtype=np.int64)
    for b, k in zip(buildings, rng.binomial(res, share), strict=True):
        b.immobile = int(k)


# --------------------------------------------------------------------------------------------
# Sites


def _compound_sites(
    world: _World,
    *,
    count: int,
    committee: str,
    compound: str,
    block: tuple[float, ...],
    buildings: Sequence[_Building],
    id_prefix: str,
    desks: tuple[tuple[int, int], tuple[int, int]],
    queue: tuple[tuple[int, int], tuple[int, int]],
    hours_p: Sequence[float],
    used: set[str] | None = None,
) -> None:
    """Candidate sites of one compound: the first at a gate, the others on open spaces inside.

    ``desks`` and ``queue`` give inclusive (low, high) ranges for (gate, open space); ``hours_p``
    the probabilities of the windows 06:00-14:00, 07:00-14:00 and 06:00-12:00. ``used`` holds the
    names already given in the compound (shared when several committees split one compound); site
    names are unique within it.
    """
    rng = world.rng
    x0, y0, w, h = block
    bx = np.array([b.x for b in buildings])
    by = np.array([b.y for b in buildings])
    used = set() if used is None else used
    numbers = [int(b.building_id.rsplit("B", 1)[1]) for b in buildings]
    windows = ((ROUND_START, ROUND_DEADLINE), (7 * 60, ROUND_DEADLINE), (ROUND_START, 12 * 60))
    for k in range(count):
        kind = int(k > 0)  # 0: gate, 1: open space
        if kind == 0:
            side = int(rng.choice(4, p=[0.5, 0.2, 0.15, 0.15]))
            for _ in range(4):  # another side when this gate already has a site
                if f"{_SIDES[side]}门" not in used:
                    break
                side = (side + 1) % 4
            t = rng.uniform(0.2, 0.8)
            x, y = {
                0: (x0 + t * w, y0 - 8.0),
                1: (x0 + t * w, y0 + h + 8.0),
                2: (x0 + w + 8.0, y0 + t * h),
                3: (x0 - 8.0, y0 + t * h),
            }[side]
            label = f"{_SIDES[side]}门"
        else:
            x, y = x0 + rng.uniform(0.1, 0.9) * w, y0 + rng.uniform(0.1, 0.9) * h
            nearest = int(np.argmin((bx - x) ** 2 + (by - y) ** 2))
            label = f"{numbers[nearest]}号楼前广场"
            if label in used or rng.random() < 0.3:
                free = [s for s in _OPEN_SPACES if s not in used]
                if free:
                    label = free[int(rng.integers(len(free)))]
        base, n = label, 1
        while label in used:
            n += 1
            label = f"{base}({n})"
        used.add(label)
        lo_from, lo_to = windows[int(rng.choice(3, p=hours_p))]
        world.sites.append(
            _Site(
                site_id=f"{id_prefix}S{len(world.sites) + 1:03d}",
                name=compound + label,
                committee=committee,
                x=x,
                y=y,
                max_desks=int(rng.integers(desks[kind][0], desks[kind][1] + 1)),
                queue_capacity=10
                * int(rng.integers(queue[kind][0] // 10, queue[kind][1] // 10 + 1)),
                open_from=lo_from,
                open_to=lo_to,
            )
        )


# --------------------------------------------------------------------------------------------
# Staff


_Window = tuple[int, int, float]  # available_from, available_to, max_hours


def _sampler_window(rng: np.random.Generator) -> _Window:
    """Hospital sampler: arrives 05:30-07:00, works 6-8 h, a few leave at noon."""
    start = int(_pick(rng, (330, 360, 390, 420), (0.3, 0.4, 0.15, 0.15)))
    end = 12 * 60 if rng.random() < 0.05 else 14 * 60 + 30
    return start, end, float(_pick(rng, (6.0, 6.5, 7.0, 7.5, 8.0), (0.2, 0.1, 0.2, 0.1, 0.4)))


def _volunteer_window(rng: np.random.Generator, role: str) -> _Window:
    """Committee worker or volunteer: whole day, morning or afternoon shift, or leaving early."""
    first = 330 if role == "sweeper" else 360  # sweepers start calling before sampling opens
    options: tuple[_Window, ...] = (
        (first, 14 * 60, 8.0),
        (first, 10 * 60, 4.0),
        (10 * 60, 14 * 60, 4.0),
        (first, 9 * 60, 3.0),
        (first, 11 * 60 + 30, 5.5),
    )
    return options[int(rng.choice(len(options), p=[0.4, 0.28, 0.22, 0.05, 0.05]))]


def _steady_window(role: str) -> _Window:
    if role == "sampler":
        return 330, 14 * 60 + 30, 8.0
    if role == "sweeper":
        return 330, 14 * 60, 8.0
    return 360, 14 * 60, 8.0


def _roster(
    world: _World,
    *,
    id_prefix: str,
    samplers: int,
    per_committee: Iterable[tuple[str, int, int, int]],
    varied: bool,
) -> None:
    """Add staff: town-wide samplers, then registrars, marshals and sweepers of each committee.

    ``per_committee`` yields (committee, registrars, marshals, sweepers).
    """
    rng = world.rng
    people: list[tuple[str, str]] = [("sampler", "")] * samplers
    teams = list(per_committee)
    for role, col in (("registrar", 1), ("marshal", 2), ("sweeper", 3)):
        for team in teams:
            people.extend([(role, team[0])] * int(team[col]))
    codes = {"sampler": "SMP", "registrar": "REG", "marshal": "MAR", "sweeper": "SWP"}
    seen = dict.fromkeys(codes, 0)
    for role, committee in people:
        seen[role] += 1
        if not varied:
            start, end, hours = _steady_window(role)
        elif role == "sampler":
            start, end, hours = _sampler_window(rng)
        else:
            start, end, hours = _volunteer_window(rng, role)
        world.staff.append(
            _Person(
                staff_id=f"{id_prefix}{codes[role]}{seen[role]:03d}",
                name=world.person_name(),
                role=role,
                committee=committee,
                available_from=start,
                available_to=end,
                max_hours=hours,
            )
        )


# --------------------------------------------------------------------------------------------
# Presets


def _tiny(world: _World) -> None:
    """One committee, one compound, ten buildings, 1,500 residents, three sites, 18 staff."""
    rng = world.rng
    committee = _COMMITTEE_ROOTS[0] + "一村"
    compound = world.compound_name()
    # floors, households per building: walk-ups (no lift) first, then towers with lifts.
    types: tuple[tuple[int, int], ...] = (
        *((6, 36), (6, 36), (6, 24), (6, 36), (5, 20)),
        *((11, 44), (18, 126), (18, 126), (26, 208), (33, 198)),
    )
    floors = [t[0] for t in types]
    capacity = np.array([t[1] for t in types], dtype=np.int64)
    households, _ = _fill_households(rng, capacity, 0.82, 2.3)
    households = np.maximum(households, 1)
    residents = _apportion(1_500, households * rng.lognormal(0.0, 0.1, len(types)))
    block = (-130.0, -100.0, 260.0, 200.0)
    buildings = _place_compound(
        world,
        committee=committee,
        committee_no=1,
        compound=compound,
        compound_no=1,
        block=block,
        floors=floors,
        households=households.tolist(),
        residents=residents.tolist(),
    )
    locked = int(rng.integers(5))  # one walk-up is locked down
    buildings[locked].locked = 1
    free = [b for i, b in enumerate(buildings) if i != locked]
    share = np.array([b.residents for b in free], dtype=np.float64)
    for b, k in zip(
        free, rng.multinomial(int(rng.integers(4, 9)), share / share.sum()), strict=True
    ):
        b.immobile = min(int(k), b.residents)
    _compound_sites(
        world,
        count=3,
        committee=committee,
        compound=compound,
        block=block,
        buildings=buildings,
        id_prefix="",
        desks=((4, 6), (2, 4)),
        queue=((150, 250), (80, 150)),
        hours_p=(1.0, 0.0, 0.0),
    )
    # The gate opens all morning; the other two open late (07:00) or close early (12:00).
    late, early = world.sites[-2:] if rng.random() < 0.5 else world.sites[-1:-3:-1]
    late.open_from, early.open_to = 7 * 60, 12 * 60
    _roster(world, id_prefix="", samplers=6, per_committee=[(committee, 6, 3, 3)], varied=True)


def _contest(world: _World) -> None:
    """The 2022 modelling-contest community: 103 buildings and 18,326 residents in one compound."""
    rng = world.rng
    compound = world.compound_name()
    floors: list[int] = []
    households: list[int] = []
    for count, fl, _units, cap, rate in CONTEST_TYPES:
        drawn = rng.binomial(cap, rate, size=count).astype(np.int64)
        target = round(count * cap * rate)  # the type's occupied households, as published
        while (diff := target - int(drawn.sum())) != 0:
            step = 1 if diff > 0 else -1
            ok = np.flatnonzero((drawn + step >= 1) & (drawn + step <= cap))
            drawn[ok[rng.integers(len(ok))]] += step
        floors += [fl] * count
        households += drawn.tolist()
    hh = np.array(households, dtype=np.int64)
    residents = _apportion(CONTEST_RESIDENTS, hh * rng.lognormal(0.0, 0.08, len(hh)))
    # Two committees: the 80 lower buildings in the west, the 23 eighteen-floor towers in the east.
    root = _COMMITTEE_ROOTS[int(rng.integers(len(_COMMITTEE_ROOTS)))]
    parts = (
        (root + "一村", slice(0, 80), (-360.0, -250.0, 420.0, 500.0)),
        (root + "二村", slice(80, 103), (100.0, -250.0, 260.0, 500.0)),
    )
    # Staff after the national guide: samplers = population / 360, one registrar per sampler
    # (split by the committees' residents), a marshal per site + 1, sweepers ~ households / 300.
    samplers = round(CONTEST_RESIDENTS / PEOPLE_PER_SAMPLER)
    people = np.array([residents[rows].sum() for _, rows, _ in parts], dtype=np.float64)
    registrars = _apportion(samplers, people)
    sites_per_committee = 4
    site_names: set[str] = set()
    teams: list[tuple[str, int, int, int]] = []
    for no, ((committee, rows, block), regs) in enumerate(zip(parts, registrars, strict=True), 1):
        built = _place_compound(
            world,
            committee=committee,
            committee_no=no,
            compound=compound,
            compound_no=1,
            block=block,
            floors=floors[rows],
            households=households[rows],
            residents=residents[rows].tolist(),
            first_number=rows.start + 1,
        )
        _add_immobile(rng, built, rng.uniform(0.01, 0.03))
        _compound_sites(
            world,
            count=sites_per_committee,
            committee=committee,
            compound=compound,
            block=block,
            buildings=built,
            id_prefix="",
            desks=((5, 8), (4, 8)),
            queue=((200, 300), (120, 250)),
            hours_p=(1.0, 0.0, 0.0),
            used=site_names,
        )
        sweepers = max(1, round(sum(b.households for b in built) / 300))
        teams.append((committee, int(regs), sites_per_committee + 1, sweepers))
    world.buildings[int(rng.integers(len(world.buildings)))].locked = 1
    _roster(world, id_prefix="", samplers=samplers, per_committee=teams, varied=False)


def _town_compound(rng: np.random.Generator, kind: int) -> tuple[_IntArray, _IntArray, _IntArray]:
    """Floors, occupied households and residents of the buildings of one town compound.

    ``kind`` 0 is an estate of old walk-ups, 1 an estate of towers, 2 a mix; walk-ups come first.
    """
    n_walk = (int(rng.integers(16, 27)), 0, int(rng.integers(12, 21)))[kind]
    n_tower = (0, int(rng.integers(8, 13)), int(rng.integers(3, 6)))[kind]
    walk_floors = rng.choice([5, 6], p=[0.15, 0.85], size=n_walk)
    walk_cap = walk_floors * 2 * rng.choice([2, 3, 4], p=[0.4, 0.45, 0.15], size=n_walk)
    tower_floors = rng.integers(11, 34, size=n_tower)
    per_floor = rng.choice([2, 4, 4, 6, 8], size=n_tower)
    floors = np.concatenate((walk_floors, tower_floors)).astype(np.int64)
    capacity = np.concatenate((walk_cap, tower_floors * per_floor)).astype(np.int64)
    households, residents = _fill_households(rng, capacity, rng.uniform(0.65, 0.85), 2.3)
    return floors, households, residents


def _deal(
    rng: np.random.Generator, sizes: Sequence[int], groups: int, least: int
) -> list[list[int]]:
    """Deal items (compounds) to groups (committees), largest first, each to the group that is
    smallest relative to a random weight (0.6-1.4); every group gets at least ``least`` items.

    Returns the item indices of each group, in random order.
    """
    weight = rng.uniform(0.6, 1.4, groups)
    total = np.zeros(groups)
    count = np.zeros(groups, dtype=np.int64)
    out: list[list[int]] = [[] for _ in range(groups)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        ratio = np.where(count < least, total, np.inf) if (count < least).any() else total
        g = int(np.argmin(ratio / weight))
        out[g].append(i)
        total[g] += sizes[i]
        count[g] += 1
    return [rng.permutation(items).tolist() for items in out]


def _town(world: _World, *, prefix: str, roots: Sequence[str], x0: float, y0: float) -> None:
    """A town of about 110,000 residents: 25 committees on a 5 x 5 grid, 80 compounds."""
    rng = world.rng
    n_side = 5
    widths = rng.uniform(600.0, 800.0, n_side)
    heights = rng.uniform(600.0, 800.0, n_side)
    xs = x0 - widths.sum() / 2 + np.concatenate(([0.0], np.cumsum(widths)[:-1]))
    ys = y0 - heights.sum() / 2 + np.concatenate(([0.0], np.cumsum(heights)[:-1]))
    n_committees = n_side * n_side
    # 80 compounds: 48 estates of old walk-ups, 12 of towers and 20 mixed, dealt to committees.
    kinds = rng.permutation(np.repeat([0, 1, 2], [48, 12, 20])).tolist()
    specs = [_town_compound(rng, kind) for kind in kinds]
    members = _deal(rng, [int(spec[1].sum()) for spec in specs], n_committees, least=2)
    first_building = len(world.buildings)
    # (committee, compound, block, buildings) per compound, for the sites.
    compounds: list[tuple[str, str, tuple[float, ...], list[_Building]]] = []
    committees: list[str] = []
    for k in range(n_committees):
        row, col = divmod(k, n_side)
        committee = roots[row] + _cn_number(col + 1) + "村"
        committees.append(committee)
        cell = (xs[col] + 15.0, ys[row] + 15.0, widths[col] - 30.0, heights[row] - 30.0)
        blocks = _split(*cell, len(members[k]), road=25.0)
        for j, (block, index) in enumerate(zip(blocks, members[k], strict=True), start=1):
            compound = world.compound_name()
            floors, hh, res = specs[index]
            built = _place_compound(
                world,
                committee=committee,
                committee_no=k + 1,
                compound=compound,
                compound_no=j,
                block=block,
                floors=floors.tolist(),
                households=hh.tolist(),
                residents=res.tolist(),
                prefix=prefix,
            )
            _add_immobile(rng, built, rng.uniform(0.02, 0.04))
            compounds.append((committee, compound, block, built))
    town = world.buildings[first_building:]
    for i in rng.choice(len(town), size=int(rng.integers(5, 11)), replace=False):
        town[int(i)].locked = 1
    # Candidate sites: one per ~1,000 residents, at least one per compound.
    people = np.array([sum(b.residents for b in c[3]) for c in compounds], dtype=np.float64)
    n_sites = _apportion(max(len(compounds), round(people.sum() / 1_000)), people, minimum=1)
    site_count: dict[str, int] = dict.fromkeys(committees, 0)
    for (committee, compound, block, built), count in zip(compounds, n_sites, strict=True):
        _compound_sites(
            world,
            count=int(count),
            committee=committee,
            compound=compound,
            block=block,
            buildings=built,
            id_prefix=prefix,
            desks=((3, 8), (2, 6)),
            queue=((150, 300), (80, 250)),
            hours_p=(0.75, 0.15, 0.10),
        )
        site_count[committee] += int(count)
    # Staff near the national guide: samplers ~ population / 360, one registrar per sampler,
    # marshals = the committee's sites + 1, sweepers ~ households / 400.
    committee_people = np.array(
        [sum(b.residents for b in town if b.committee == c) for c in committees], dtype=np.float64
    )
    committee_households = {c: 0 for c in committees}
    for b in town:
        committee_households[b.committee] += b.households
    samplers = round(people.sum() / PEOPLE_PER_SAMPLER)
    registrars = _apportion(samplers, committee_people)
    teams = [
        (c, int(r), site_count[c] + 1, max(1, round(committee_households[c] / 400)))
        for c, r in zip(committees, registrars, strict=True)
    ]
    _roster(world, id_prefix=prefix, samplers=samplers, per_committee=teams, varied=True)


# --------------------------------------------------------------------------------------------
# Output


def _frame(
    rows: Sequence[_Building] | Sequence[_Site] | Sequence[_Person],
    columns: tuple[str, ...],
    origin: tuple[float, float],
) -> pd.DataFrame:
    """Rows to a DataFrame with the documented columns: positions in degrees, times as HH:MM."""
    data: dict[str, list[object]] = {c: [] for c in columns}
    lat0, lon0 = origin
    m_per_deg_lon = _M_PER_DEG * math.cos(math.radians(lat0))
    for row in rows:
        values = dataclasses.asdict(row)
        for c in columns:
            if c == "lat":
                data[c].append(round(lat0 + values["y"] / _M_PER_DEG, 6))
            elif c == "lon":
                data[c].append(round(lon0 + values["x"] / m_per_deg_lon, 6))
            elif c in ("open_from", "open_to", "available_from", "available_to"):
                data[c].append(_hhmm(values[c]))
            elif c == "max_hours":
                data[c].append(round(float(values[c]), 1))
            else:
                data[c].append(values[c])
    frame = pd.DataFrame(data, columns=list(columns))
    return frame.astype({c: _DTYPES.get(c, "str") for c in columns})


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with floats turned into fixed-decimal text: lat/lon 6 decimals, max_hours 1."""
    out = frame.copy()
    for c, digits in (("lat", 6), ("lon", 6), ("max_hours", 1)):
        if c in out.columns:
            out[c] = [f"{v:.{digits}f}" for v in out[c]]
    return out


_PRESET_NOTES = {
    "tiny": (
        "one committee, one compound, 10 buildings (6-floor walk-ups, 11-33-floor towers with "
        "lifts), 1,500 residents, 3 candidate sites, 6 samplers, 6 registrars, 3 marshals, "
        "3 sweepers; building types from the 2022 modelling-contest community"
    ),
    "compound-103": (
        "the 2022 modelling-contest community: 103 buildings, 18,326 residents; 60 six-floor "
        "(36 households, 70% occupied), 20 eleven-floor (44, 75%), 23 eighteen-floor (126, 80%); "
        "8 candidate sites (national guide, 3rd ed., March 2022: one point per 2,000-3,000 "
        "people); "
        "samplers = population / 360 (national guide), registrars equal, marshals one per site "
        "+ 1 per committee, sweepers households / 300"
    ),
    "town": (
        "about 110,000 residents, 25 committees of 1,000-3,500 households, 80 compounds of 6-floor "
        "walk-ups and 11-33-floor towers (Shanghai April 2022 building practice); one candidate "
        "site per ~1,000 residents with 2-8 desks; samplers = population / 360 (national guide, "
        "3rd ed., March 2022), registrars equal, marshals = sites + 1 and sweepers = households / "
        "400 per committee"
    ),
    "district": (
        "six towns side by side, each like the town preset (about 110,000 residents, 25 "
        "committees, samplers = population / 360 after the national guide, 3rd ed., March 2022)"
    ),
}

_FLOW_NOTES = {
    "service_s": "s/person at a desk: 30 s per swab (Xinhua 2020), 15-30 s with 10:1 pooling",
    "service_cv": "coefficient of variation of the service time (lognormal)",
    "walk_m_per_s": "m/s walking speed",
    "detour": "walking distance = straight line x detour",
    "stairs_s_per_floor": "s to walk down one floor",
    "lift_from_floor": "residents on this floor or above take the lift, where there is one",
    "lift_s": "s for one lift ride, down and back up",
    "lift_people": "people per lift ride",
    "response_min": "min: after a call, residents leave home uniformly within this",
    "turnout": "share of called residents who come down when called",
    "queue_spacing_m": "m between people in a queue (1-2 m)",
}
_CREW_NOTES = {
    "desk_samplers": "samplers per open desk",
    "desk_registrars": "registrars per open desk",
    "marshals_per_site": "marshals per open site",
    "max_ppe_h": "h: a sampler's longest continuous stint in protective gear",
    "ppe_break_min": "min: least time off between two stints",
    "door_samplers": "samplers per door-to-door team",
    "door_registrars": "registrars per door-to-door team",
    "door_s_per_person": "s to sample one person at their door or bedside",
    "sweep_s_per_household": "s for a sweeper to call one household",
}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _toml_table(name: str, params: FlowParams | CrewParams, notes: dict[str, str]) -> list[str]:
    lines = [f"[{name}]"]
    values = [(f.name, getattr(params, f.name)) for f in dataclasses.fields(params)]
    width = max(len(f"{k} = {_toml_value(v)}") for k, v in values)
    for key, value in values:
        text = f"{key} = {_toml_value(value)}"
        lines.append(f"{text:<{width}}  # {notes[key]}" if key in notes else text)
    return lines


def _toml_text(preset: str, seed: int) -> str:
    """``scenario.toml`` with every round, flow and crew parameter written out."""
    source = (
        f"planner generate --preset {preset} --seed {seed}. All data is synthetic. "
        f"Figures used: {_PRESET_NOTES[preset]}."
    )
    lines = [
        "# Synthetic scenario: invented places and people; see docs/scenarios.md.",
        f"name = {_toml_value(f'{preset} (seed {seed})')}",
        "synthetic = true",
        f"source = {_toml_value(source)}",
        "",
        "[round]",
        f"date = {ROUND_DATE}",
        f"notice = {ROUND_NOTICE}  # the order came the evening before",
        f'start = "{_hhmm(ROUND_START)}"',
        f'deadline = "{_hhmm(ROUND_DEADLINE)}"  # 06:00-14:00 leaves lab time to re-test pools',
        "",
        "# Defaults of docs/formats.md, written out so they can be changed here.",
        *_toml_table("flow", FlowParams(), _FLOW_NOTES),
        "",
        *_toml_table("crew", CrewParams(), _CREW_NOTES),
    ]
    return "\n".join(lines) + "\n"
