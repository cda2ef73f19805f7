"""Ledger (台账) import and export, templates, and synthetic data."""
