"""Staff accounts: slow PIN hashes, wrong PINs counted, lock-out and its end."""

from __future__ import annotations

import pytest

from desktop.staff import add_staff, authenticate, hash_pin, list_staff, pin_matches
from domain.errors import AuthenticationFailed, InvalidInput


def test_pin_is_stored_as_a_salted_scrypt_hash(desk, staff) -> None:
    row = desk.conn.execute("SELECT pin_hash FROM staff WHERE id = 'd1'").fetchone()
    assert row[0].startswith("scrypt$") and "2222" not in row[0]
    assert hash_pin("2222") != hash_pin("2222")  # salted
    assert pin_matches("2222", row[0]) and not pin_matches("2223", row[0])


def test_right_pin_logs_in(desk, staff, clock) -> None:
    who = authenticate(desk.conn, desk.policy.staff, clock, "m1", "9999")
    assert who.role == "manager"


def test_five_wrong_pins_lock_for_five_minutes(desk, staff, clock) -> None:
    policy = desk.policy.staff
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthenticationFailed) as info:
            authenticate(desk.conn, policy, clock, "d1", "0000")
        assert info.value.code == "staff.wrong_pin" and info.value.params["left"] == left
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(desk.conn, policy, clock, "d1", "0000")
    assert info.value.code == "staff.locked"
    # Even the right PIN is refused while locked.
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(desk.conn, policy, clock, "d1", "2222")
    assert info.value.code == "staff.locked" and info.value.params["minutes"] == 1
    clock.advance(seconds=2)
    assert authenticate(desk.conn, policy, clock, "d1", "2222").id == "d1"


def test_success_resets_the_failure_count(desk, staff, clock) -> None:
    policy = desk.policy.staff
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            authenticate(desk.conn, policy, clock, "c1", "9")
    authenticate(desk.conn, policy, clock, "c1", "1111")
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(desk.conn, policy, clock, "c1", "9")
    assert info.value.params["left"] == 4


@pytest.mark.parametrize("kwargs, code", [
    ({"staff_id": "d1"}, "staff.exists"),
    ({"pin": "12"}, "staff.pin_length"),
    ({"pin": "12ab"}, "staff.pin_digits"),
    ({"pin": "１２３４"}, "staff.pin_digits"),
    ({"role": "boss"}, "staff.bad_role"),
    ({"staff_id": "a b"}, "staff.bad_id"),
    ({"name": "  "}, "staff.bad_name"),
])
def test_bad_accounts_are_refused(desk, staff, clock, kwargs, code) -> None:
    args = {"staff_id": "new", "name": "新人", "role": "desk", "pin": "4321", **kwargs}
    with pytest.raises(InvalidInput) as info:
        add_staff(desk.conn, desk.policy.staff, clock, **args)
    assert info.value.code == code
    assert len(list_staff(desk.conn)) == 5


def test_unknown_staff(desk, staff, clock) -> None:
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(desk.conn, desk.policy.staff, clock, "ghost", "1234")
    assert info.value.code == "staff.not_found"
