"""The pure core the desk and the centre share: no SQLite, no HTTP, no Qt.

Events and their chain hash, the fold, the hybrid clock and ids, time and money, masking,
policy parsed into typed sections, triage, the ticket actions that build event payloads,
and the error tree. ``local_db`` / ``desktop`` / ``ui`` (the desk) and ``sync`` /
``sync.server`` (the wire and the centre) build on it; it imports none of them.
"""
