"""The desk report header: encoded ASCII, parsed strictly or not at all."""

from __future__ import annotations

from sync.protocol import DeskReport, encode_desk_report, parse_desk_report


def test_a_report_round_trips_in_ascii() -> None:
    report: DeskReport = {"app_version": "0.1.0", "policy_version": "2026冬季版",
                          "outbox": 12, "dead_letters": 1}
    text = encode_desk_report(report)
    assert text.isascii() and " " not in text
    assert parse_desk_report(text) == report
    none_yet: DeskReport = {**report, "policy_version": None}
    assert parse_desk_report(encode_desk_report(none_yet)) == none_yet


def test_a_newer_desk_may_report_more() -> None:
    text = ('{"app_version":"0.2","policy_version":"p","outbox":0,"dead_letters":0,'
            '"disk_free_mb":512}')
    assert parse_desk_report(text) == {"app_version": "0.2", "policy_version": "p",
                                       "outbox": 0, "dead_letters": 0}


def test_anything_else_is_no_report() -> None:
    good = '{"app_version":"0.1","policy_version":null,"outbox":0,"dead_letters":0}'
    assert parse_desk_report(good) is not None
    for bad in (None, "", "null", "{}", good.replace('"outbox":0', '"outbox":"0"'),
                good.replace('"outbox":0', '"outbox":4611686018427387905'),
                good.replace('"dead_letters":0', '"dead_letters":false'),
                good.replace(',"policy_version":null', ""),
                good.replace('"0.1"', '" 0.1"'), good.replace('"0.1"', '"0.1\\n"'),
                good.replace("null", '"' + "v" * 65 + '"'), good + " " * 600):
        assert parse_desk_report(bad) is None, bad
