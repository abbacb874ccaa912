"""The Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 took a reference off ``None`` on every call of a Qt method
returning nothing; a desk app aborts ("none_dealloc") after a few thousand clicks. The
dependency pin keeps it out; this test catches any future binding that does the same.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLineEdit


def test_void_qt_calls_leave_none_alone(qapp: QApplication) -> None:
    edit = QLineEdit()
    before = sys.getrefcount(None)
    for _ in range(2000):
        edit.setText("x")
        qapp.processEvents()
    # Other code may take or drop a handful of references meanwhile; a leak is ~4000.
    assert abs(sys.getrefcount(None) - before) < 200
