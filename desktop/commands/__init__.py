"""Subcommands of the ``kesu`` command line."""
