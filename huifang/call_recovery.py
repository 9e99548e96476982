"""At start-up: calls a dead process of this node (or a dead node) left open are settled.

Every command that takes or places calls runs this once its Phone has started (which repairs
the recordings a killed process cut off), before the first call: the calls of processes that
still run — another `serve`, a campaign's other workers — are left alone.
"""

from __future__ import annotations

import logging

from storage.database import Database
from storage.node_presence import hold_presence, settle_dead_nodes
from storage.recovery import SettledCall, on_this_node, settle_open_calls

log = logging.getLogger(__name__)


def settle_left_open(database: Database) -> list[SettledCall]:
    """Settle this node's calls whose process is gone, and (on PostgreSQL) those of other
    nodes gone as a whole; each one logged. From now on this node counts as up (node_presence)."""
    hold_presence(database)
    settled = settle_open_calls(database, on_this_node(database.owner.node))
    for call in settled:
        log.warning("settled after a crash: %s", call.line())
    return settled + settle_other_nodes(database)


def settle_other_nodes(database: Database) -> list[SettledCall]:
    """Settle the calls of nodes none of whose processes runs (PostgreSQL); each one logged."""
    settled = settle_dead_nodes(database)
    for call in settled:
        log.warning("settled for a dead node: %s", call.line())
    return settled
