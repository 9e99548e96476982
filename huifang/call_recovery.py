"""At start-up: calls a dead process of this node left open are settled (storage.recovery).

Every command that takes or places calls runs this once its Phone has started (which repairs
the recordings a killed process cut off), before the first call: the calls of processes that
still run — another `serve`, a campaign's other workers — are left alone.
"""

from __future__ import annotations

import logging

from storage.database import Database
from storage.recovery import SettledCall, on_this_node, settle_open_calls

log = logging.getLogger(__name__)


def settle_left_open(database: Database) -> list[SettledCall]:
    """Settle this node's calls whose process is gone; each one logged."""
    settled = settle_open_calls(database, on_this_node(database.owner.node))
    for call in settled:
        log.warning("settled after a crash: %s", call.line())
    return settled
