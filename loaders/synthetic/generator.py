"""Run the phases county by county and write what they emit.

The phase order is the dependency order (every reference written names a code written
before it) and also the order of the random draws: reordering phases, or calls inside
one, changes the output for every seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loaders.ledger_writer import LedgerWriter
from loaders.synthetic import (
    cobuilding,
    geography,
    organisations,
    party,
    people,
    posts,
    services,
    sites,
)
from loaders.synthetic import names as nm
from loaders.synthetic.presets import PRESETS, Sizes
from loaders.synthetic.state import Counters, County

Progress = Callable[[str, int, int], None]

PHASES: tuple[Callable[[County], None], ...] = (
    geography.build,
    organisations.build,
    party.build,
    people.build,
    posts.build,
    cobuilding.build,
    sites.build,
    services.build,
)


def generate(
    preset: str,
    seed: int,
    out_dir: str | Path,
    fmt: str = "csv",
    progress: Progress | None = None,
    scale: float = 1.0,
    chinese: bool = True,
) -> dict[str, int]:
    """Write the preset's ledgers to ``out_dir``; returns rows written per sheet."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")
    if scale <= 0:
        raise ValueError("scale must be positive")
    spec = PRESETS[preset]
    sizes = Sizes.of(spec, scale)
    names = _county_names(random.Random(seed), spec.counties)
    counts: dict[str, int] = {}
    ids = Counters()
    with LedgerWriter(out_dir, fmt, chinese) as writer:
        def emit(sheet: str, row: dict[str, Any]) -> None:
            writer.write(sheet, row)
            counts[sheet] = counts.get(sheet, 0) + 1

        for i in range(spec.counties):
            if progress:
                progress(f"county {i + 1}/{spec.counties}", i, spec.counties)
            rng = random.Random(seed * 1_000_003 + i + 1)
            county = County(rng, emit, ids, i + 1, names[i], sizes)
            for phase in PHASES:
                phase(county)
        if progress:
            progress("done", spec.counties, spec.counties)
    return dict(sorted(counts.items()))


def _county_names(rng: random.Random, n: int) -> list[str]:
    return [stem + rng.choice(("县", "区", "县")) for stem in nm.distinct(rng, nm.COUNTY_STEMS, n)]
