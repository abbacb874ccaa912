"""The wire's error kinds: every way a protocol request can fail, as its client sees it.
None of them means data was lost or should be.

``SyncError`` is the base; the desk shows each kind differently:

* :class:`Unauthorized` (HTTP 401): the device token is unknown or revoked. Enrol again
  with a new one-time code; never discard local events.
* :class:`UpdateRequired` (HTTP 426): the server speaks another protocol version. Keep
  every local event and tell staff "update required".
* :class:`ServerRejected` (other 4xx): the server refused a request for a stated
  ``reason`` (broken chain, another store's ticket...). Needs a person; retrying the same
  request will not help. :class:`EnrolRefused` is the refusal of an enrolment.
* :class:`NetworkError`: the server could not be reached or answered nonsense; transient,
  retry after a backoff. Subclasses :class:`ServerError` (5xx) and :class:`BadResponse`
  (unparseable answer).

The failures of the desk's own side of a round (a pulled policy it refuses, a bug or a
damaged database) are not answers of the wire: they live with the desk's engine in
``desktop.desk_sync.errors``.
"""

from __future__ import annotations

from domain.errors import KesuError


class SyncError(KesuError):
    """Base of every sync failure, a branch of :class:`~domain.errors.KesuError`.
    ``code`` (one per class) is a message key for the desk UI."""

    code = "sync.error"

    def __init__(self, detail: str = "") -> None:
        self._init_with_detail(detail, {})  # only EnrolRefused has message fields


class Unauthorized(SyncError):
    """401: the token is not (or no longer) valid. Enrol again; keep all data."""

    code = "sync.unauthorized"


class UpdateRequired(SyncError):
    """426: protocol version mismatch. Update Kesu; keep all data."""

    code = "sync.update_required"


class ServerRejected(SyncError):
    """The server refused the request; ``reason`` is its machine-readable error code."""

    code = "sync.rejected"

    def __init__(self, reason: str, detail: str = "", status: int = 0) -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.status = status


class NetworkError(SyncError):
    """The server was unreachable, timed out or failed; transient, retry later."""

    code = "sync.network"


class ServerError(NetworkError):
    """The server answered 5xx."""

    code = "sync.server_error"


class BadResponse(NetworkError):
    """The answer was not the protocol's JSON (proxy page, truncated body...)."""

    code = "sync.bad_response"


class EnrolRefused(ServerRejected):
    """The server (or the desk itself) refused an enrolment; ``reason`` says why:
    ``bad_code``, ``code_expired``, ``wrong_store``, ``wrong_desk``, ``device_bound``,
    ``desk_taken``. Nothing changed on the desk; no token was made."""

    code = "sync.enrol_refused"

    def __init__(self, reason: str, detail: str = "", status: int = 0, **params: str) -> None:
        super().__init__(reason, detail, status)
        self.code = f"sync.enrol.{reason}"
        self.params = params  # message fields: store, desk, code_store, code_desk
