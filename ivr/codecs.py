"""Codec priorities: the configured codecs in order, every other codec disabled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# pjmedia's codec ids look like "PCMU/8000/1", "G722/16000/1", "L16/44100/1".
SUPPORTED = ("PCMU", "PCMA", "G722", "L16")
TOP_PRIORITY = 255


class UnknownCodecError(ValueError):
    """A configured codec name that this build of pjsua2 does not offer."""


def codec_priorities(available: Iterable[str], wanted: Iterable[str]) -> Mapping[str, int]:
    """Priority per available codec id: wanted names first in order, everything else 0."""
    ids = list(available)
    priorities = dict.fromkeys(ids, 0)
    for rank, name in enumerate(wanted):
        matches = [cid for cid in ids if cid.split("/")[0].upper() == name.upper()]
        if not matches:
            raise UnknownCodecError(f"codec {name!r} is not available; have {sorted(ids)}")
        for cid in matches:
            # Mono before stereo: a telephone leg is mono.
            stereo_penalty = 1 if cid.endswith("/2") else 0
            priorities[cid] = TOP_PRIORITY - 2 * rank - stereo_penalty
    return priorities
