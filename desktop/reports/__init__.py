"""Store-manager reports: figures over a period, drill-down, start screen, JSON/CSV export.

``model`` holds the frozen data; ``period`` turns "this week" into UTC bounds;
``figures.build_report`` computes every figure; ``drill.tickets_behind`` lists the tickets
behind one; ``repeat_problems`` is the one definition of a repeat problem, used by the
report and by ``attention.start_screen``, the manager's start screen; ``json_export`` and
``csv_export`` write the report out (``kesu report``).
"""
