"""Benchmark: voiceprint scores of same- and different-speaker pairs of real clips; EER."""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import numpy.typing as npt
from voice_corpus import CorpusClip, load_clips, telephone_band

from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, Voiceprint, VoiceprintEncoder

Scores = npt.NDArray[np.float64]


def pair_scores(
    clips: list[CorpusClip], prints: list[Voiceprint]
) -> tuple[Scores, Scores]:
    """Cosine scores of same-speaker pairs and of different-speaker pairs.

    Two clips both labelled `unknown` are left out: they may be the same person.
    """
    same: list[float] = []
    different: list[float] = []
    for (a, pa), (b, pb) in itertools.combinations(zip(clips, prints, strict=True), 2):
        if a.speaker == b.speaker == "unknown":
            continue
        score = float(np.dot(pa, pb))
        (same if a.speaker == b.speaker else different).append(score)
    return np.array(same), np.array(different)


def equal_error_rate(same: Scores, different: Scores) -> tuple[float, float, float, float]:
    """(EER, threshold, FAR, FRR) where false accepts and false rejects are closest.

    With few same-speaker pairs the rates move in steps, so the EER is their mean there.
    """
    best = (2.0, 0.0, 0.0, 0.0, 0.0)
    for threshold in np.unique(np.concatenate([same, different])):
        far = float(np.mean(different >= threshold))
        frr = float(np.mean(same < threshold))
        if abs(far - frr) < best[0]:
            best = (abs(far - frr), (far + frr) / 2, float(threshold), far, frr)
    return best[1], best[2], best[3], best[4]


def report(name: str, same: Scores, different: Scores, thresholds: list[float]) -> None:
    """Print pair counts, score ranges, EER and the error rates at each threshold."""
    eer, at, far_at, frr_at = equal_error_rate(same, different)
    print(f"{name}: {len(same)} same-speaker pairs, {len(different)} different-speaker pairs")
    print(f"  same   min {same.min():.3f} median {np.median(same):.3f}")
    print(f"  differ max {different.max():.3f} median {np.median(different):.3f}")
    print(f"  EER {eer:.3f} at threshold {at:.3f} (false accept {far_at:.3f}, reject {frr_at:.3f})")
    for threshold in thresholds:
        far = np.mean(different >= threshold)
        frr = np.mean(same < threshold)
        print(f"  threshold {threshold:.2f}: false accept {far:.3f}  false reject {frr:.3f}")


def main() -> None:
    """Embed every corpus clip (clean and telephone band) and score all pairs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, action="append", default=[])
    thresholds = parser.parse_args().threshold or [0.70, 0.75, SAME_VOICE_THRESHOLD, 0.85]
    encoder = VoiceprintEncoder()
    clips = load_clips()
    clean = [encoder.embed(c.samples) for c in clips]
    tel = [encoder.embed(telephone_band(c.samples)) for c in clips]
    report("clean 16 kHz", *pair_scores(clips, clean), thresholds)
    report("telephone band (G.711)", *pair_scores(clips, tel), thresholds)
    mixed = [t if i % 2 else c for i, (c, t) in enumerate(zip(clean, tel, strict=True))]
    report("mixed (every other clip telephone)", *pair_scores(clips, mixed), thresholds)


if __name__ == "__main__":
    main()
