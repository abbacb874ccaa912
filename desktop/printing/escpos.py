"""Direct ESC/POS output for thermal printers that have no driver.

The receipt goes to the printer as a raster image (``GS v 0``), never as text, so Chinese
does not depend on the fonts or the code page in the printer. A target is named like a
printer in the desk's settings:

- ``escpos:/dev/usb/lp0`` -- a device (or, outside ``/dev``, a file: handy for support);
- ``escpos:tcp://HOST:PORT`` -- a network printer's raw port (9100 when none is given).

Failures raise :class:`EscPosError` (a :class:`~domain.errors.KesuError` with a
``print.escpos_*`` message) so the print job fails visibly and can be retried.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from domain.errors import InvalidInput, KesuError

PREFIX = "escpos:"
DEFAULT_PORT = 9100
# 72 mm printable at 203 dpi: the usual 80 mm head.
WIDTH_DOTS = 576
DPI = 203.2  # 576 dots over 72 mm exactly
# Rows per GS v 0 band. The command allows up to 4095 (2303 on some heads), but cheap
# printers with a small receive buffer drop data on a tall image; a band fits one byte.
BAND_ROWS = 255
SEND_TIMEOUT_S = 15.0

INIT = b"\x1b@"  # ESC @: reset the printer (mode, margins) before the image
RASTER = b"\x1dv0"  # GS v 0 m xL xH yL yH d1...dk
FEED = b"\x1bd"  # ESC d n: print and feed n lines
FEED_LINES = 2
CUT = b"\x1dVB\x00"  # GS V 66 0: feed to the cutter, partial cut


class EscPosError(KesuError):
    """The ESC/POS printer could not take the job (missing, refused, timed out...)."""


@dataclass(frozen=True)
class EscPosTarget:
    """Where raw ESC/POS bytes go: a device/file ``path``, or a TCP ``host`` and ``port``."""

    spec: str
    path: Path | None = None
    host: str | None = None
    port: int = DEFAULT_PORT

    @property
    def is_network(self) -> bool:
        """A network printer (raw TCP) rather than a device or file."""
        return self.host is not None

    @property
    def label(self) -> str:
        """``HOST:PORT`` or the path, for messages and the printer list."""
        if self.host is not None:
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"{host}:{self.port}"
        return str(self.path)


def is_escpos(printer: str) -> bool:
    """Whether a desk's printer name is an ESC/POS target."""
    return printer.startswith(PREFIX)


def parse_target(spec: str) -> EscPosTarget:
    """The target of ``escpos:PATH`` or ``escpos:tcp://HOST[:PORT]``.

    Raises :class:`InvalidInput` (``print.escpos_bad_target``) for anything else.
    """
    spec = spec.strip()
    bad = InvalidInput("print.escpos_bad_target", target=spec)
    if not is_escpos(spec):
        raise bad
    rest = spec[len(PREFIX):].strip()
    if rest.lower().startswith("tcp://"):
        try:
            parts = urlsplit(rest)
            host, port = parts.hostname, parts.port
        except ValueError:  # a port that is not a number, or out of range
            raise bad from None
        if not host or parts.path not in ("", "/") or parts.query or parts.username:
            raise bad
        return EscPosTarget(spec, host=host, port=port or DEFAULT_PORT)
    if not rest or "://" in rest:  # empty, or another scheme (usb://, http://...)
        raise bad
    return EscPosTarget(spec, path=Path(rest).expanduser())


def _band(rows: Sequence[bytes], width_bytes: int) -> bytes:
    count = len(rows)
    header = RASTER + bytes((0, width_bytes & 0xFF, width_bytes >> 8, count & 0xFF,
                             count >> 8))
    return header + b"".join(rows)


def raster(rows: Sequence[bytes], width_dots: int = WIDTH_DOTS) -> bytes:
    """The ESC/POS job printing *rows*, then feeding and cutting.

    *rows* are packed 1-bit rows, ``width_dots / 8`` bytes each, most significant bit the
    leftmost dot, 1 = black. Tall images go in bands of :data:`BAND_ROWS` rows.
    """
    if width_dots <= 0 or width_dots % 8:
        raise ValueError(f"width_dots must be a positive multiple of 8, not {width_dots}")
    width_bytes = width_dots // 8
    for number, row in enumerate(rows):
        if len(row) != width_bytes:
            raise ValueError(f"row {number} has {len(row)} bytes, expected {width_bytes}")
    parts = [INIT]
    for start in range(0, len(rows), BAND_ROWS):
        parts.append(_band(rows[start:start + BAND_ROWS], width_bytes))
    parts += [FEED + bytes((FEED_LINES,)), CUT]
    return b"".join(parts)


@dataclass(frozen=True)
class Decoded:
    """An ESC/POS raster job read back: its rows, its bands' heights, whether it cuts."""

    rows: list[bytes]
    width_bytes: int
    bands: list[int]
    cut: bool


def decode(data: bytes) -> Decoded:
    """Parse a job made by :func:`raster` (ESC @, GS v 0, ESC d, GS V); ``ValueError`` on
    anything else, so tests and support see exactly what goes to the printer."""
    rows: list[bytes] = []
    bands: list[int] = []
    width: int | None = None
    cut = False
    i = 0
    while i < len(data):
        if data.startswith(INIT, i):
            i += len(INIT)
        elif data.startswith(RASTER, i):
            if i + 8 > len(data):
                raise ValueError(f"truncated GS v 0 header at byte {i}")
            mode, xl, xh, yl, yh = data[i + 3:i + 8]
            if mode != 0:
                raise ValueError(f"GS v 0 mode {mode} (scaled) at byte {i}")
            band_width, height = xl + 256 * xh, yl + 256 * yh
            if width is not None and band_width != width:
                raise ValueError(f"band at byte {i} is {band_width} bytes wide, not {width}")
            width = band_width
            start, end = i + 8, i + 8 + band_width * height
            if end > len(data):
                raise ValueError(f"truncated raster data at byte {i}")
            rows += [data[r:r + band_width] for r in range(start, end, band_width)]
            bands.append(height)
            i = end
        elif data.startswith(FEED, i) and i + len(FEED) < len(data):
            i += len(FEED) + 1
        elif data.startswith(CUT, i):
            cut = True
            i += len(CUT)
        else:
            raise ValueError(f"unexpected byte 0x{data[i]:02x} at {i}")
    return Decoded(rows, width or 0, bands, cut)


def decode_raster(data: bytes) -> list[bytes]:
    """The packed 1-bit rows of an ESC/POS raster job (see :func:`decode`)."""
    return decode(data).rows


def send(target: EscPosTarget, data: bytes, timeout_s: float = SEND_TIMEOUT_S) -> None:
    """Write *data* to the printer; :class:`EscPosError` with the reason when it cannot."""
    if target.host is not None:
        _send_tcp(target, data, timeout_s)
    else:
        _send_file(target, data, timeout_s)


def _send_tcp(target: EscPosTarget, data: bytes, timeout_s: float) -> None:
    assert target.host is not None
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout_s) as sock:
            sock.sendall(data)
            # The printer sees the end of the job; it may answer nothing, ever.
            sock.shutdown(socket.SHUT_WR)
    except socket.gaierror:
        raise EscPosError("print.escpos_unknown_host", target=target.label,
                          host=target.host) from None
    except ConnectionRefusedError:
        raise EscPosError("print.escpos_refused", target=target.label) from None
    except TimeoutError:
        raise EscPosError("print.escpos_timeout", target=target.label,
                          seconds=f"{timeout_s:g}") from None
    except OSError as exc:
        raise EscPosError("print.escpos_io", target=target.label,
                          reason=exc.strerror or str(exc)) from None


def _open_flags(path: Path) -> int:
    # A device must be there already: never create a plain file in /dev by accident. A
    # path elsewhere is a capture file, written afresh for each job.
    flags = os.O_WRONLY | getattr(os, "O_BINARY", 0)
    if path.parts[:2] != ("/", "dev"):
        flags |= os.O_CREAT | os.O_TRUNC
    # Non-blocking, so a printer that stops taking data times out instead of hanging.
    return flags | getattr(os, "O_NONBLOCK", 0)


def _send_file(target: EscPosTarget, data: bytes, timeout_s: float) -> None:
    assert target.path is not None
    path = target.path
    try:
        fd = os.open(path, _open_flags(path), 0o644)
    except OSError as exc:
        raise _file_error(target, exc) from None
    deadline = time.monotonic() + timeout_s
    view = memoryview(data)
    try:
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EscPosError("print.escpos_timeout", target=target.label,
                                  seconds=f"{timeout_s:g}")
            if hasattr(os, "O_NONBLOCK"):
                _readable, writable, _errors = select.select([], [fd], [], remaining)
                if not writable:
                    continue
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                continue
            view = view[written:]
    except OSError as exc:
        raise _file_error(target, exc) from None
    finally:
        os.close(fd)


def _file_error(target: EscPosTarget, exc: OSError) -> EscPosError:
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return EscPosError("print.escpos_device_missing", target=target.label)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return EscPosError("print.escpos_permission", target=target.label)
    return EscPosError("print.escpos_io", target=target.label,
                       reason=exc.strerror or str(exc))
