"""Tables of call analysis: flags with evidence, voice cues and voiceprints per leg.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations
