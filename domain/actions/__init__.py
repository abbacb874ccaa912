"""Ticket actions: the payload of every event a desk or the centre writes about a ticket.

Pure functions (no SQLite, HTTP or Qt) that turn a decision already checked into the
typed payload of :mod:`domain.event_schema`. The desk's save and quick entry
(``desktop.tickets``, ``desktop.quick_entry``), its handling steps
(``desktop.ticket_actions``, ``desktop.compensation``) and the centre's channel tickets
and headquarters actions (``sync.server.channels``, ``sync.server.hq``) all build their
events here, so a rule such as the group raise is written once.

* :mod:`domain.actions.creation`: a new ticket and its level notification
* :mod:`domain.actions.group`: the group rule's level raise of earlier tickets
* :mod:`domain.actions.handling`: status changes, notes, contacts, triage corrections...
* :mod:`domain.actions.compensation`: the limit rules and the compensation events
"""
