"""Synthetic ledgers (台账) for demos, tests and benchmarks, shaped like a real county's.

Why synthetic data matters here: indicators and gap lists are only testable on a graph
that has gaps.  So the generator builds the network the seed texts describe and then
leaves realistic holes in it: compounds no branch covers, no-property compounds
(无物业小区) and among them a few "three-no" compounds with no firm, no owners'
committee and no responsible unit; communities no unit co-builds with; grids without a
full-time grid worker; people with three or more posts; history (posts, management
contracts and co-building agreements that have ended).  Cross-posting (交叉任职) is
created on purpose: some owners' committee members also sit on the branch covering
their compound, some branch secretaries chair the committee, and firm and committee
people are part-time members of community party committees (双向进入).

Output goes through :class:`loaders.ledger_writer.LedgerWriter` in the formats of
:mod:`loaders.formats` and imports with ``loaders.ledger.load_ledgers``.  Every
reference names a code generated earlier, keys are unique, and enum cells hold codes.

Determinism: one ``random.Random`` per county, seeded from (seed, county number), no
iteration over sets, no clock: the same seed writes the same bytes.  The phases draw
from that one generator in a fixed order (:mod:`.generator` lists it), so moving a draw
from one place to another changes every ledger after it.  Large presets are
streamed: counties are generated and written one at a time (only the current county's
working lists are in memory), so the province preset runs in constant memory.

Layout: :mod:`.presets` (sizes, snapshot day), :mod:`.draws` (random helpers),
:mod:`.codes` (enum codes, checked against the model at import), :mod:`.names`
(vocabularies), :mod:`.state` (one county's working state), one module per phase, and
:mod:`.generator` which runs them.
"""

from loaders.synthetic.generator import Progress, generate
from loaders.synthetic.presets import PRESETS, SNAPSHOT, Preset

__all__ = ["PRESETS", "SNAPSHOT", "Preset", "Progress", "generate"]
