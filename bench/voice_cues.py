"""Benchmark: gender estimates and voice-changer cues on real clips and pitch-shifted copies."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable

from voice_corpus import CorpusClip, load_clips, telephone_band

from agent_assist.voice_cues import GENDER_CUE_CONFIDENCE
from agent_assist.voice_disguise import psola_pitch_shift, sox_pitch_shift
from agent_assist.voice_estimates import estimate_gender, shifted_pitch_reasons
from agent_assist.voice_features import VoiceMeasurementError, measure_voice
from asr.codec import Pcm16

Transform = Callable[[Pcm16], Pcm16]
TRANSFORMS: dict[str, Transform] = {
    "natural": lambda x: x,
    "telephone": telephone_band,
    "psola x1.5 (formants kept)": lambda x: psola_pitch_shift(x, 1.5),
    "psola x0.67 (formants kept)": lambda x: psola_pitch_shift(x, 0.67),
    "sox +500 cents (formants move)": lambda x: sox_pitch_shift(x, 500),
    "sox -500 cents (formants move)": lambda x: sox_pitch_shift(x, -500),
}


def _gender_outcome(clip: CorpusClip, samples: Pcm16) -> tuple[str, bool]:
    """(right/wrong/abstain for a labelled clip or '-', whether the voice-changer cue fires)."""
    features = measure_voice(samples)
    changer = bool(shifted_pitch_reasons(features))
    if clip.gender not in ("m", "f"):
        return "-", changer
    estimate = estimate_gender(features)
    if estimate.confidence < GENDER_CUE_CONFIDENCE:
        return "abstain", changer
    return ("right" if estimate.gender.value[0] == clip.gender else "wrong"), changer


def run(show_clips: bool) -> None:
    """Print, per transform, the gender outcomes on labelled clips and the voice-changer rate."""
    clips = load_clips()
    labelled = sorted({c.speaker for c in clips if c.gender in ("m", "f")})
    print(f"{len(clips)} clips; {len(labelled)} gender-labelled speakers: {', '.join(labelled)}")
    print("labelled clips: gender right/wrong/abstained, and any cue against the true gender")
    print(f"{'transform':<32} {'right':>5} {'wrong':>5} {'abst.':>5} {'any cue':>8}"
          f" {'changer cue (all)':>18}  ms/clip")
    for name, transform in TRANSFORMS.items():
        outcomes: Counter[str] = Counter()
        changer = measured = labelled_cue = 0
        started = time.perf_counter()
        for clip in clips:
            try:
                outcome, fired = _gender_outcome(clip, transform(clip.samples))
            except VoiceMeasurementError:
                outcomes["unmeasurable"] += 1
                continue
            measured += 1
            outcomes[outcome] += 1
            changer += fired
            labelled_cue += outcome != "-" and (outcome == "wrong" or fired)
            if show_clips:
                print(f"    {clip.name:<40} {clip.gender} {outcome:<8} changer={fired}")
        ms = (time.perf_counter() - started) * 1000 / len(clips)
        print(
            f"{name:<32} {outcomes['right']:>5} {outcomes['wrong']:>5} {outcomes['abstain']:>5}"
            f" {labelled_cue:>8} {changer:>11}/{measured:<6} {ms:7.0f}"
            + (f"  ({outcomes['unmeasurable']} unmeasurable)" if outcomes["unmeasurable"] else "")
        )


def main() -> None:
    """Command line: --clips lists every clip's outcome."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", action="store_true", help="one line per clip")
    run(parser.parse_args().clips)


if __name__ == "__main__":
    main()
