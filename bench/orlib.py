"""Readers for the OR-Library location instances in ``../shared/benchmarks``.

Both readers return a :class:`LocationInstance` of plain numpy arrays in the shape that
:func:`planner.location.solve_location` takes (facility-major cost matrix ``[m, n]``).

Formats (see ``../shared/benchmarks/README.md``):

* ``sscflp_orlib/pK`` - single-source capacitated facility location (Beasley 1988).
  ``m n``; m lines ``capacity fixed_cost``; n demands (may wrap); m x n cost matrix, row i =
  facility i, each cost for serving the customer's whole demand. ``os`` holds the optima of
  p1.. one per line.
* ``orlib_pmedcap/pmedcapKK.txt`` - capacitated p-median (Osman & Christofides 1994).
  ``problem_no best_value``; ``n p Q``; n lines ``id x y demand``. Every node is a candidate
  median with capacity Q and no opening cost; the cost is the sum of floor-truncated Euclidean
  distances (not weighted by demand).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
SSCFLP_DIR = BENCHMARKS / "sscflp_orlib"
PMEDCAP_DIR = BENCHMARKS / "orlib_pmedcap"

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LocationInstance:
    """One benchmark instance as plain arrays.

    Attributes
    ----------
    name
        Short name, e.g. ``"p1"`` or ``"pmedcap01"``.
    demand
        float[n] customer demands.
    capacity
        float[m] facility capacities.
    open_cost
        float[m] fixed opening costs (zeros for p-median).
    assign_cost
        float[m, n] cost of serving customer j from facility i.
    p
        Exact number of facilities to open, or ``None`` (free).
    optimum
        Known optimal value from the literature.
    """

    name: str
    demand: FloatArray
    capacity: FloatArray
    open_cost: FloatArray
    assign_cost: FloatArray
    p: int | None
    optimum: float

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.demand.shape[0])

    @property
    def m(self) -> int:
        """Number of candidate facilities."""
        return int(self.capacity.shape[0])


def _tokens(path: Path) -> list[str]:
    return path.read_text().split()


def sscflp_optima(directory: Path = SSCFLP_DIR) -> dict[str, float]:
    """Known optima of the single-source CFLP instances, ``{"p1": 932615.75, ...}``."""
    values = [float(t) for t in _tokens(directory / "os")]
    return {f"p{k + 1}": v for k, v in enumerate(values)}


def read_sscflp(path: Path, optimum: float = float("nan")) -> LocationInstance:
    """Read one OR-Library single-source CFLP file (``p1`` .. ``p24``).

    Parameters
    ----------
    path
        The instance file.
    optimum
        Known optimum to carry along (``nan`` if unknown).
    """
    tok = _tokens(path)
    m, n = int(tok[0]), int(tok[1])
    pos = 2
    fac = np.array(tok[pos : pos + 2 * m], dtype=np.float64).reshape(m, 2)
    pos += 2 * m
    demand = np.array(tok[pos : pos + n], dtype=np.float64)
    pos += n
    cost = np.array(tok[pos : pos + m * n], dtype=np.float64).reshape(m, n)
    pos += m * n
    if pos != len(tok):
        raise ValueError(f"{path}: {len(tok) - pos} trailing tokens")
    return LocationInstance(
        name=path.name,
        demand=demand,
        capacity=fac[:, 0].copy(),
        open_cost=fac[:, 1].copy(),
        assign_cost=cost,
        p=None,
        optimum=optimum,
    )


def read_pmedcap(path: Path) -> LocationInstance:
    """Read one OR-Library capacitated p-median file (``pmedcap01.txt`` .. ``pmedcap20.txt``).

    The cost matrix is the floor-truncated Euclidean distance between every pair of nodes;
    every node is a candidate median of capacity Q and zero opening cost.
    """
    tok = _tokens(path)
    optimum = float(tok[1])
    n, p, q = int(tok[2]), int(tok[3]), float(tok[4])
    rows = np.array(tok[5 : 5 + 4 * n], dtype=np.float64).reshape(n, 4)
    if 5 + 4 * n != len(tok):
        raise ValueError(f"{path}: expected {n} node lines")
    xy = rows[:, 1:3]
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.floor(np.sqrt((diff**2).sum(axis=2)))
    return LocationInstance(
        name=path.stem,
        demand=rows[:, 3].copy(),
        capacity=np.full(n, q),
        open_cost=np.zeros(n),
        assign_cost=dist,
        p=p,
        optimum=optimum,
    )


def sscflp_instances(directory: Path = SSCFLP_DIR, last: int = 24) -> list[LocationInstance]:
    """All single-source CFLP instances p1..p``last`` with their known optima."""
    opt = sscflp_optima(directory)
    return [read_sscflp(directory / f"p{k}", opt[f"p{k}"]) for k in range(1, last + 1)]


def pmedcap_instances(directory: Path = PMEDCAP_DIR) -> list[LocationInstance]:
    """All capacitated p-median instances pmedcap01..20 with their reported optima."""
    return [read_pmedcap(f) for f in sorted(directory.glob("pmedcap*.txt"))]


def all_instances() -> list[LocationInstance]:
    """p1..p24 followed by pmedcap01..20."""
    return sscflp_instances() + pmedcap_instances()
