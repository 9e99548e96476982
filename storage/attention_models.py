"""Tables of the special-attention list (特别关注) and of policy phone changes.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations
