"""The desk's side of sync: the engine (push, re-offer, pull over HTTP), its background
runner and the wiring that gives it the desk's token store and policy sink.

It lives in the desk because it works on the desk's SQLite database
(``local_db.sync_state``); ``sync`` itself holds only what both ends share: the wire
protocol and its error kinds.
"""
