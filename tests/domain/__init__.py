"""Tests of the pure domain package (no database)."""
