"""Codec priority from configuration."""

from __future__ import annotations

import pytest

from ivr.codecs import UnknownCodecError, codec_priorities

AVAILABLE = ["speex/16000/1", "PCMU/8000/1", "PCMA/8000/1", "G722/16000/1",
             "L16/44100/1", "L16/44100/2", "GSM/8000/1"]


def test_wanted_codecs_in_order_others_disabled() -> None:
    """The first wanted codec ranks highest; anything not wanted gets 0 (disabled)."""
    p = codec_priorities(AVAILABLE, ["G722", "PCMA", "PCMU", "L16"])
    assert p["G722/16000/1"] > p["PCMA/8000/1"] > p["PCMU/8000/1"] > p["L16/44100/1"] > 0
    assert p["L16/44100/1"] > p["L16/44100/2"] > 0
    assert p["speex/16000/1"] == p["GSM/8000/1"] == 0


def test_unknown_codec_is_an_error() -> None:
    """A typo in HUIFANG_SIP_CODECS must not silently disable everything."""
    with pytest.raises(UnknownCodecError, match="OPUS"):
        codec_priorities(AVAILABLE, ["OPUS"])
