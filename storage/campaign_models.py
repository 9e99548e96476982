"""Tables of pre-callback campaigns: attempts, schedule state, do-not-call list.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations
