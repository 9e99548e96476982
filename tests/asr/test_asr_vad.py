"""VAD: the pure timeline on scripted decisions, the segmenter on real speech and on noise."""

from __future__ import annotations

import numpy as np
import pytest
from asr_testkit import fixture_audio, silence

from asr.vad import FRAME_MS, SpeechTimeline, VadConfig, VadEvent, VadEventKind, VadSegmenter

FRAME = 16000 * FRAME_MS // 1000


def _run(timeline: SpeechTimeline, decisions: str) -> list[tuple[str, int, int]]:
    """Feed 's' (speech) / '.' (silence) decisions; collect (kind, first, end) frames."""
    out = []
    for mark in decisions:
        t = timeline.process(mark == "s")
        if t:
            out.append((t.kind.value, t.first_frame, t.end_frame))
    t = timeline.finish()
    if t:
        out.append((t.kind.value, t.first_frame, t.end_frame))
    return out


def test_timeline_needs_three_voiced_frames_in_five_to_start() -> None:
    cfg = VadConfig(hangover_ms=90)
    assert _run(SpeechTimeline(cfg), "..s.s....s......") == []
    assert _run(SpeechTimeline(cfg), "..s.ss......") == [
        ("speech_started", 2, 6), ("speech_ended", 2, 6)]


def test_timeline_hangover_bridges_short_pauses() -> None:
    cfg = VadConfig(hangover_ms=120)  # 4 frames
    events = _run(SpeechTimeline(cfg), "sss...sss....")
    assert events == [("speech_started", 0, 3), ("speech_ended", 0, 9)]


def test_timeline_splits_on_long_pauses_and_ends_at_last_voiced_frame() -> None:
    cfg = VadConfig(hangover_ms=90)  # 3 frames
    events = _run(SpeechTimeline(cfg), "ssss....sss....")
    assert events == [("speech_started", 0, 3), ("speech_ended", 0, 4),
                      ("speech_started", 8, 11), ("speech_ended", 8, 11)]


def test_timeline_cuts_utterances_at_the_maximum_length() -> None:
    cfg = VadConfig(max_utterance_s=3.0)  # 100 frames
    events = _run(SpeechTimeline(cfg), "s" * 250)
    ends = [e for e in events if e[0] == "speech_ended"]
    assert ends[0] == ("speech_ended", 0, 100)
    assert all(end - first <= 100 for _, first, end in ends)


def test_timeline_closes_an_open_utterance_at_end_of_input() -> None:
    events = _run(SpeechTimeline(VadConfig()), "..sssss")
    assert events[-1] == ("speech_ended", 2, 7)


def _segment(samples: np.ndarray, config: VadConfig | None = None, chunk: int = 320
             ) -> list[VadEvent]:
    seg = VadSegmenter(config)
    events = []
    for i in range(0, len(samples), chunk):
        events.extend(seg.push(samples[i : i + chunk]))
    return events + seg.flush()


def _ended(events: list[VadEvent]) -> list[VadEvent]:
    return [e for e in events if e.kind is VadEventKind.SPEECH_ENDED]


def test_real_speech_gives_one_utterance_with_sample_exact_times() -> None:
    speech = fixture_audio("funasr_asr_example.wav")  # speech from about 0.9 s to 5.3 s
    events = _segment(speech)
    assert [e.kind for e in events] == [VadEventKind.SPEECH_STARTED, VadEventKind.SPEECH_ENDED]
    end = events[1]
    assert end.start_sample % FRAME == 0 and end.end_sample % FRAME == 0
    assert 0.7 <= end.start_s <= 1.0
    assert 5.0 <= end.end_s <= 5.5
    assert end.audio is not None
    # The utterance audio is exactly the input samples from its own start offset.
    first = end.audio_start_sample
    assert np.array_equal(end.audio, speech[first : first + len(end.audio)])
    assert first <= end.start_sample and first + len(end.audio) >= end.end_sample


def test_two_utterances_keep_their_place_in_the_stream() -> None:
    speech = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    # The pause is the recording's own room tone: after digital zeros webrtcvad's adaptive
    # noise model hears that room tone as speech, which no real line produces.
    gap = np.tile(speech[: 16000 * 2 // 5], 4)
    stream = np.concatenate([speech, gap, speech])
    ends = _ended(_segment(stream))
    assert len(ends) == 2
    offset = len(speech) + len(gap)
    # The same audio gives the same boundaries, shifted by the offset to within one frame.
    assert abs(ends[1].start_sample - offset - ends[0].start_sample) <= FRAME
    assert abs(ends[1].end_sample - offset - ends[0].end_sample) <= FRAME


def test_chunk_size_does_not_change_the_result() -> None:
    speech = fixture_audio("wenet_BAC009S0724W0121.wav")
    by_rtp = [(e.kind, e.start_sample, e.end_sample) for e in _segment(speech, chunk=160)]
    by_block = [(e.kind, e.start_sample, e.end_sample) for e in _segment(speech, chunk=4001)]
    assert by_rtp == by_block


@pytest.mark.parametrize("aggressiveness", [0, 1, 2, 3])
def test_silence_and_line_hiss_give_no_utterance(aggressiveness: int) -> None:
    rng = np.random.default_rng(7)
    cfg = VadConfig(aggressiveness=aggressiveness)
    assert _segment(silence(3.0), cfg) == []
    for level in (50, 500, 3000):  # hiss from -56 to -21 dBFS
        hiss = rng.normal(0, level, 16000 * 3).astype(np.int16)
        assert _ended(_segment(hiss, cfg)) == [], f"hiss at rms {level} taken for speech"


def test_speech_in_hiss_is_still_found() -> None:
    rng = np.random.default_rng(3)
    speech = fixture_audio("funasr_asr_example.wav")
    noisy = np.clip(speech + rng.normal(0, 300, len(speech)), -32768, 32767).astype(np.int16)
    ends = _ended(_segment(noisy))
    assert len(ends) == 1
    assert ends[0].end_s - ends[0].start_s > 3.5


def test_hangover_setting_decides_whether_a_pause_splits() -> None:
    speech = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    stream = np.concatenate([speech, silence(0.6), speech])
    assert len(_ended(_segment(stream, VadConfig(hangover_ms=300)))) == 2
    assert len(_ended(_segment(stream, VadConfig(hangover_ms=1500)))) == 1


def test_padding_setting_keeps_audio_before_speech() -> None:
    speech = np.concatenate([silence(1.0), fixture_audio("funasr_asr_example.wav")])
    for padding_ms in (0, 300, 600):
        end = _ended(_segment(speech, VadConfig(padding_ms=padding_ms)))[0]
        lead = (end.start_sample - end.audio_start_sample) / 16000
        assert padding_ms / 1000 - 0.001 <= lead <= padding_ms / 1000 + 0.15
