"""Sync protocol and desk sync engine."""
