"""Who at the centre decides a compensation request above the store manager's limit.

A request a desk sends up (``approval_level`` ``hq``) waits for the store's regional
manager when its amount is within the policy's ``compensation.regional_limit_fen``,
else for headquarters (``../shared/domain.md``, "The chain's centre"). Headquarters may
decide any request; a regional manager only their own region's, within the limit. The
approvals inbox, the ticket page, the desk ("waits for …") and the centre's checks all
ask these two functions.
"""

from __future__ import annotations

from typing import Literal

Decider = Literal["regional", "hq"]


def centre_decider(amount_fen: int, regional_limit_fen: int) -> Decider:
    """Who decides a request of *amount_fen* sent up to the centre."""
    return "regional" if amount_fen <= regional_limit_fen else "hq"


def may_decide(role: str, own_region: str | None, ticket_region: str | None,
               amount_fen: int, regional_limit_fen: int) -> bool:
    """Whether a console user (*role*, *own_region*) may decide a centre request of
    *amount_fen* on a ticket of a store in *ticket_region*."""
    if role == "hq":
        return True
    if role != "regional" or own_region is None or ticket_region != own_region:
        return False
    return centre_decider(amount_fen, regional_limit_fen) == "regional"
