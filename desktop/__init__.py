"""Kesu service-desk core: no Qt here."""
