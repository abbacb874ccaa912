"""Kesu's local SQLite store: connection settings, migrations, the event log and projections.

Nothing here imports Qt, the network or ``desktop``.
"""
