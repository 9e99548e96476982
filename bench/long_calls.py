"""Long multi-turn call recordings built from real corpus speech, for the ASR sets.

Calls are long and multi-turn, where a per-utterance pipeline is most at risk (VAD cuts,
dropped endings), so each line of `bench/data/asr/long_calls.tsv` becomes one call: its clips
in a seeded order, taking turns on two legs (agent, customer) with realistic pauses — short
ones inside a turn (some under the VAD's hang-over), longer ones between turns — over a faint
line-noise floor, ending shortly after the last word as a hang-up does. Each call is written as
a stereo call recording and as its mono mix, clean (16 kHz PCM16) and telephone band (8 kHz
G.711 mu-law), with the clips' references joined in call order. Deterministic: the same
definition gives the same bytes; audio is generated under var/, never committed.

    .venv/bin/python bench/long_calls.py   # writes var/asr_sets/, prints the manifests
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.codec import PIPELINE_RATE, Pcm16, resample
from asr.evaluation import ManifestEntry, read_manifest
from asr.wavfile import read_audio, write_wav

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "bench" / "data" / "asr" / "long_calls.tsv"
OUT = ROOT / "var" / "asr_sets"
LEGS = ("agent", "customer")
NOISE_RMS = 6.0  # about -75 dBFS: a quiet line, never digital silence
TURN_SWITCH = 0.6  # chance that the next clip is the other party's
TURN_GAP_S = (0.4, 1.5)
SAME_SPEAKER_GAP_S = (0.15, 0.6)
LEAD_IN_S = 0.8
HANG_UP_S = (0.05, 0.3)  # silence after the last word before the line drops


@dataclass(frozen=True)
class Turn:
    """One clip placed in the call: which leg, from which sample, its reference."""

    leg: int
    start: int
    audio: Pcm16
    reference: str


def _layout(entries: list[ManifestEntry], seed: int) -> tuple[list[Turn], int]:
    """The clips in a seeded order on alternating legs with pauses; and the call's length."""
    rng = np.random.default_rng(seed)
    at, leg, turns = int(LEAD_IN_S * PIPELINE_RATE), 0, []
    for n, index in enumerate(rng.permutation(len(entries))):
        entry = entries[int(index)]
        switch = n > 0 and rng.random() < TURN_SWITCH
        if n > 0:
            low, high = TURN_GAP_S if switch else SAME_SPEAKER_GAP_S
            at += int(rng.uniform(low, high) * PIPELINE_RATE)
        leg = 1 - leg if switch else leg
        audio = read_audio(entry.path).mono16k()
        turns.append(Turn(leg, at, audio, entry.reference))
        at += len(audio)
    return turns, at + int(rng.uniform(*HANG_UP_S) * PIPELINE_RATE)


def _render(turns: list[Turn], length: int, seed: int) -> Pcm16:
    """(frames, 2) int16: each leg its turns over its own noise floor."""
    rng = np.random.default_rng(seed + 1)
    legs = rng.normal(0.0, NOISE_RMS, size=(length, len(LEGS)))
    for turn in turns:
        legs[turn.start : turn.start + len(turn.audio), turn.leg] += turn.audio
    return np.clip(np.round(legs), -32768, 32767).astype(np.int16)


def _write(path: Path, stereo: Pcm16, mono: bool, band: str) -> None:
    signal = stereo.astype(np.int32).sum(axis=1, keepdims=True) if mono else stereo
    signal = np.clip(signal, -32768, 32767).astype(np.int16)
    if band == "clean":
        write_wav(path, signal, PIPELINE_RATE)
        return
    narrow = np.stack([resample(np.ascontiguousarray(signal[:, c]), PIPELINE_RATE, 8000)
                       for c in range(signal.shape[1])], axis=1)
    write_wav(path, narrow, 8000, "mulaw")


def _clips(spec: str) -> list[ManifestEntry]:
    return [e for manifest in spec.split() for e in read_manifest(DEFINITIONS.parent / manifest)]


def build(out: Path = OUT) -> dict[tuple[str, str], Path]:
    """Write every call and one manifest per (set, band); returns the manifests' paths."""
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    with DEFINITIONS.open(encoding="utf-8") as f:
        definitions = list(csv.DictReader(f, delimiter="\t"))
    for spec in definitions:
        seed = int(spec["seed"])
        turns, length = _layout(_clips(spec["clips"]), seed)
        stereo = _render(turns, length, seed)
        reference = "".join(t.reference for t in turns)
        for band in ("clean", "tel"):
            for layout, legs in (("stereo", ",".join(LEGS)), ("mono", "")):
                name = f"{spec['name']}_{layout}_{band}.wav"
                _write(out / name, stereo, layout == "mono", band)
                rows.setdefault((spec["set"], band), []).append((name, reference, legs))
    manifests = {}
    for (set_name, band), entries in rows.items():
        manifest = out / f"{set_name}_long_{band}.tsv"
        lines = ["file\treference\tlegs", *("\t".join(row) for row in entries)]
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifests[(set_name, band)] = manifest
    return manifests


if __name__ == "__main__":
    for (set_name, band), manifest in sorted(build().items()):
        print(f"{set_name:5} {band:5} {manifest}")
