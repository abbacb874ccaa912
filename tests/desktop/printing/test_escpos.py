"""ESC/POS raster output: the byte stream, its bands and cut, targets, and sending it."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.desk import Desk
from desktop.i18n import tr
from desktop.printing import escpos
from desktop.printing import print_settings as ps
from desktop.printing.escpos import EscPosError, EscPosTarget, parse_target
from domain.errors import InvalidInput
from tests.desktop.cli_runner import run_kesu

WIDTH = 576


def pattern(height: int, seed: int = 5) -> list[bytes]:
    """Rows no two alike, with both edges and the byte values 0x00/0xFF in use."""
    rnd = random.Random(seed)
    rows = [bytes(rnd.getrandbits(8) for _ in range(WIDTH // 8)) for _ in range(height)]
    rows[0] = b"\xff" * (WIDTH // 8)
    rows[1] = b"\x80" + b"\x00" * (WIDTH // 8 - 2) + b"\x01"  # leftmost and rightmost dot
    return rows


class Listener:
    """A loopback raw-port printer: records the bytes of each connection.

    *bound* is a socket bound but not yet listening (a connection to it is refused until
    the listener starts); by default a fresh one.
    """

    def __init__(self, bound: socket.socket | None = None) -> None:
        self.server = bound or bound_socket()
        self.server.listen()
        self.port: int = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _addr = self.server.accept()
        except OSError:  # closed by the test before anyone connected
            return
        with conn:
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        self.received.append(b"".join(chunks))
        self.done.set()

    def close(self) -> None:
        self.server.close()


def bound_socket() -> socket.socket:
    """A loopback TCP socket with a port of its own, not listening: connecting is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_raster_decodes_back_identically_in_bands_and_cuts() -> None:
    rows = pattern(600)
    data = escpos.raster(rows, WIDTH)
    assert data.startswith(b"\x1b@")  # ESC @ first
    assert data.endswith(b"\x1dVB\x00")  # GS V 66 0: partial cut last
    decoded = escpos.decode(data)
    assert decoded.rows == rows == escpos.decode_raster(data)
    assert decoded.width_bytes == 72
    assert decoded.bands == [255, 255, 90]
    assert decoded.cut
    # each band header says 72 bytes by its rows: GS v 0 0 xL xH yL yH
    assert data[2:10] == b"\x1dv0\x00" + bytes((72, 0, 255, 0))
    assert data.count(b"\x1dv0\x00\x48\x00") == 3


def test_one_band_and_an_empty_image() -> None:
    rows = pattern(10)
    assert escpos.decode(escpos.raster(rows, WIDTH)).bands == [10]
    empty = escpos.decode(escpos.raster([], WIDTH))
    assert (empty.rows, empty.bands, empty.cut) == ([], [], True)


def test_bad_rows_and_streams_are_refused() -> None:
    with pytest.raises(ValueError, match="row 1"):
        escpos.raster([b"\x00" * 72, b"\x00" * 71], WIDTH)
    with pytest.raises(ValueError):
        escpos.raster([], 570)
    data = escpos.raster(pattern(3), WIDTH)
    with pytest.raises(ValueError, match="truncated"):
        escpos.decode(data[:100])
    with pytest.raises(ValueError, match="unexpected byte 0x1b"):
        escpos.decode(b"\x1bt\x00" + data)  # a code page: text, not this raster


@pytest.mark.parametrize(("spec", "target"), [
    ("escpos:/dev/usb/lp0", EscPosTarget("escpos:/dev/usb/lp0", path=Path("/dev/usb/lp0"))),
    ("  escpos:/tmp/out.bin ", EscPosTarget("escpos:/tmp/out.bin", path=Path("/tmp/out.bin"))),
    ("escpos:tcp://192.168.1.50:9100",
     EscPosTarget("escpos:tcp://192.168.1.50:9100", host="192.168.1.50", port=9100)),
    ("escpos:tcp://printer.local",
     EscPosTarget("escpos:tcp://printer.local", host="printer.local", port=9100)),
    ("escpos:tcp://[::1]:9101/", EscPosTarget("escpos:tcp://[::1]:9101/", host="::1",
                                              port=9101)),
])
def test_parse_target(spec: str, target: EscPosTarget) -> None:
    assert parse_target(spec) == target


def test_target_labels() -> None:
    assert parse_target("escpos:tcp://10.0.0.9").label == "10.0.0.9:9100"
    assert parse_target("escpos:tcp://[::1]:9101").label == "[::1]:9101"
    assert parse_target("escpos:/dev/usb/lp0").label == "/dev/usb/lp0"
    assert parse_target("escpos:tcp://10.0.0.9").is_network
    assert not parse_target("escpos:/dev/usb/lp0").is_network


@pytest.mark.parametrize("spec", [
    "escpos:", "escpos:  ", "/dev/usb/lp0", "escpos:usb://0x04b8", "escpos:tcp://",
    "escpos:tcp://host:notaport", "escpos:tcp://host:70000", "escpos:tcp://host:9100/x",
    "escpos:tcp://user@host:9100",
])
def test_bad_targets(spec: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_target(spec)
    assert refused.value.code == "print.escpos_bad_target"
    assert "escpos:tcp://" in tr(refused.value.code, "en", **refused.value.params)


def test_send_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "capture.bin"
    out.write_bytes(b"an older job")
    data = escpos.raster(pattern(300), WIDTH)
    escpos.send(parse_target(f"escpos:{out}"), data, timeout_s=5)
    assert out.read_bytes() == data  # written afresh, not appended
    assert escpos.decode_raster(out.read_bytes()) == pattern(300)


def test_a_missing_device_or_folder_is_a_translated_error(tmp_path: Path) -> None:
    with pytest.raises(EscPosError) as missing:
        escpos.send(parse_target(f"escpos:{tmp_path}/no/such/dir/lp0"), b"x", timeout_s=5)
    assert missing.value.code == "print.escpos_device_missing"
    assert "未连接" in tr(missing.value.code, "zh_CN", **missing.value.params)
    # under /dev a device is never created as a plain file
    with pytest.raises(EscPosError) as no_device:
        escpos.send(parse_target("escpos:/dev/kesu-no-such-printer"), b"x", timeout_s=5)
    assert no_device.value.code == "print.escpos_device_missing"
    assert not Path("/dev/kesu-no-such-printer").exists()


def test_send_to_a_tcp_listener(listener: Listener) -> None:
    data = escpos.raster(pattern(700), WIDTH)
    escpos.send(parse_target(f"escpos:tcp://127.0.0.1:{listener.port}"), data, timeout_s=5)
    assert listener.done.wait(10)
    assert listener.received == [data]


def test_a_refused_connection_is_a_translated_error() -> None:
    with bound_socket() as silent:
        port = silent.getsockname()[1]
        with pytest.raises(EscPosError) as refused:
            escpos.send(parse_target(f"escpos:tcp://127.0.0.1:{port}"), b"x", timeout_s=5)
    assert (refused.value.code, refused.value.params) == (
        "print.escpos_refused", {"target": f"127.0.0.1:{port}"})
    assert tr(refused.value.code, "zh_CN", **refused.value.params) == (
        f"ESC/POS 打印机 127.0.0.1:{port} 拒绝连接：请确认已开机并已联网，然后重试")
    assert "refused" in tr(refused.value.code, "en", **refused.value.params)


def test_a_printer_that_stops_reading_times_out() -> None:
    # A listener that accepts but never reads: the buffers fill, then the send times out.
    server = socket.create_server(("127.0.0.1", 0))
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        port = server.getsockname()[1]
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]))
        thread.start()
        with pytest.raises(EscPosError) as slow:
            escpos.send(parse_target(f"escpos:tcp://127.0.0.1:{port}"), b"\0" * 50_000_000,
                        timeout_s=0.5)
        assert slow.value.code == "print.escpos_timeout"
        assert slow.value.params["seconds"] == "0.5"
        thread.join(5)
        for conn in accepted:
            conn.close()
    finally:
        server.close()


def test_settings_accept_only_a_valid_escpos_target(desk: Desk) -> None:
    assert ps.set_printer(desk, " escpos:tcp://10.0.0.9:9100 ").printer == (
        "escpos:tcp://10.0.0.9:9100")
    with pytest.raises(InvalidInput) as refused:
        ps.set_config(desk, "printer", "escpos:tcp://10.0.0.9:port")
    assert refused.value.code == "print.escpos_bad_target"
    assert ps.read(desk.conn).printer == "escpos:tcp://10.0.0.9:9100"  # unchanged


def test_kesu_config_set_printer_escpos(desk: Desk) -> None:
    db = Path(desk.conn.execute("PRAGMA database_list").fetchone()["file"])
    desk.close()
    out = run_kesu(db, "config", "set", "printer", "escpos:tcp://10.0.0.9")
    assert out.code == 0 and json.loads(out.out) == {"printer": "escpos:tcp://10.0.0.9"}
    bad = run_kesu(db, "config", "set", "printer", "escpos:usb://1", lang="en")
    assert bad.code == 2 and "Not an ESC/POS printer: escpos:usb://1" in bad.err
    assert json.loads(run_kesu(db, "config", "get", "printer").out) == {
        "printer": "escpos:tcp://10.0.0.9"}
