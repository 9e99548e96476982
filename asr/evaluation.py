"""Accuracy of recognised text: character error rate on normalised simplified Chinese."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import jiwer

from zhtext import normalize_for_scoring

REQUIRED_COLUMNS = ("file", "reference")


class ManifestError(ValueError):
    """A manifest that cannot be read: names the file, the line and the problem."""


@dataclass(frozen=True)
class ManifestEntry:
    """One recording to score: its path (resolved), reference text, and legs if a call.

    `legs` (an optional `legs` column, e.g. `agent,customer`) names a stereo call recording's
    channels: they are then transcribed one leg each and merged in time order.
    """

    path: Path
    reference: str
    line: int
    legs: tuple[str, ...] | None = None


def read_manifest(path: str | Path) -> list[ManifestEntry]:
    """Read a TSV with `file` (relative to the manifest), `reference`, optionally `legs`."""
    manifest = Path(path)
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ManifestError(f"{manifest}: no such file") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"{manifest}: cannot read: {err}") from err
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [c for c in REQUIRED_COLUMNS if c not in (rows.fieldnames or [])]
    if missing:
        raise ManifestError(f"{manifest}:1: header lacks column(s) {', '.join(missing)}")
    entries = []
    for line, row in enumerate(rows, start=2):
        file, reference = (row.get("file") or "").strip(), (row.get("reference") or "").strip()
        if not file or not reference:
            raise ManifestError(f"{manifest}:{line}: empty 'file' or 'reference'")
        legs = tuple(leg.strip() for leg in (row.get("legs") or "").split(",") if leg.strip())
        entries.append(ManifestEntry(manifest.parent / file, reference, line, legs or None))
    if not entries:
        raise ManifestError(f"{manifest}: no rows after the header")
    return entries


def character_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus CER: all edits over all reference characters, after normalisation."""
    refs = [normalize_for_scoring(r) for r in references]
    hyps = [normalize_for_scoring(h) for h in hypotheses]
    if not any(refs):
        raise ValueError("references are empty after normalisation")
    kept = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return float(jiwer.cer([r for r, _ in kept], [h for _, h in kept]))
