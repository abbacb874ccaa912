"""Every write the windows make, as one-line operations (Anki's ``aqt/operations``).

An operation builds an :class:`~ui.operations.op.Op`: the desk write to run and what it
changes besides events. ``op.run(ctx, on_done=…, on_error=…)`` runs it on the writer
thread; the executor's ``changed`` then carries the :class:`~desktop.changes.Changes`
so that only the views showing those things refresh. Grouped by what they act on:
:mod:`~ui.operations.tickets`, :mod:`~ui.operations.compensation`,
:mod:`~ui.operations.printing`, :mod:`~ui.operations.alerts`,
:mod:`~ui.operations.scripts`.
"""
