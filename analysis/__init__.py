"""Indicators, gap lists, matching and network structure over the graph."""
