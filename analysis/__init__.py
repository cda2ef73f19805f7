"""Indicators, gap lists, matching, network structure and data checks over the graph.

For analysts, ``analysis.session.Analysis`` is the one public entry point (read-only, the
API's scope and date rules, ``.to_frame()`` answers; docs/analysis.md); exports in
``analysis.export`` / ``analysis.tables``, what-if matching in ``analysis.whatif``.

Entry points (plain functions returning dataclasses; analysis imports only ``graph``):

* ``analysis.indicators.compute_indicators(store, label, code, as_of=None)``
* ``analysis.gaps.gaps_from(report, walk_m=1000)``: the gap lists of an indicator report
* ``analysis.matching.match_demands(store, label, code, radius=None)`` and ``write_plan``
* ``analysis.network.network_report(store, label, code, as_of=None)``
* ``analysis.report.render_report(store, label, code, fmt, as_of=None)``
* ``analysis.check.check(store, label=None, code=None, as_of=None)`` and ``render``:
  unplaced nodes and property-mode contradictions (``jinlin check``)
* ``analysis.fetch.find_scope(store, text)``: a scope as a user types it
* ``analysis.batch.each_county(settings, task, codes, store, workers)``: an analysis of
  every county of a city or province, by a pool of processes (``jinlin report --each-county``)

Every text a user reads (indicator titles, definitions and reasons, scope errors, check
warnings, reports) is written in Chinese and translated by ``graph.i18n`` into the
language in force; the English is in ``analysis/locale/en.po``, the shared words (model
names, list separator) in ``analysis.texts``.
"""
