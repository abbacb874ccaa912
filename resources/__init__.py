"""Packaged data: default policy, message catalogues, fonts."""
