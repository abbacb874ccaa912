"""Printing receipts: the desk's print queue and print settings (no Qt here)."""
