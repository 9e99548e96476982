"""Reproducible temperature fallback: each utterance samples from a generator of its own.

faster-whisper retries a doubtful decode by sampling at rising temperatures. CTranslate2
draws those samples from a per-thread generator that is seeded once, the first time that
thread samples (`ctranslate2.set_random_seed` does not reseed a thread that already has one),
and a model's worker threads live as long as the model: so the text depended on which worker
took the decode and on everything that worker had sampled before — run to run, load to load.

Here an utterance's sampled decodes run on a sampler model built for that utterance alone,
whose single worker thread samples for the first time right after `set_random_seed(seed)`,
under a lock, with the seed taken from the utterance's samples: the same audio gives the same
text whatever ran before or beside it. Beam search (temperature 0) stays on the shared model,
so what never sampled decodes exactly as before.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

# CTranslate2's seed is process-wide: between setting it and a fresh thread's first sample,
# nothing else may set it.
_SEED_LOCK = threading.Lock()


def audio_seed(samples: np.ndarray) -> int:
    """A 32-bit seed from the samples alone (not their order among other decodes)."""
    digest = hashlib.sha256(np.ascontiguousarray(samples).tobytes()).digest()
    return int.from_bytes(digest[:4], "little")


def _set_ctranslate2_seed(seed: int) -> None:
    import ctranslate2

    ctranslate2.set_random_seed(seed)


class SeededSampling:
    """Stands in for faster-whisper's CTranslate2 model; sampled decodes go to a fresh sampler.

    Everything but `generate` with a sampling temperature is the shared model's. Outside an
    `utterance(...)` block a sampled decode runs on the shared model as before.
    """

    def __init__(self, model: Any, make_sampler: Callable[[], Any],
                 set_seed: Callable[[int], None] = _set_ctranslate2_seed) -> None:
        self._model = model
        self._make_sampler = make_sampler
        self._set_seed = set_seed
        self._local = threading.local()
        self.samplers_built = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    @contextmanager
    def utterance(self, samples: np.ndarray) -> Iterator[None]:
        """Within this block this thread's sampled decodes are seeded from `samples`."""
        self._local.seed, self._local.sampler = audio_seed(samples), None
        try:
            yield
        finally:
            self._local.seed, self._local.sampler = None, None

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        """The shared model's beam search, or this utterance's seeded sampler."""
        seed = getattr(self._local, "seed", None)
        if seed is None or not _samples(kwargs):
            return self._model.generate(*args, **kwargs)
        sampler = self._local.sampler
        if sampler is not None:
            return sampler.generate(*args, **kwargs)
        sampler = self._make_sampler()
        with _SEED_LOCK:
            self.samplers_built += 1
            self._set_seed(seed)
            result = sampler.generate(*args, **kwargs)  # its thread's first sample: seeded
        self._local.sampler = sampler
        return result


def _samples(kwargs: dict[str, Any]) -> bool:
    """Whether these generate options sample (faster-whisper: topk 0 at a temperature > 0)."""
    return bool(kwargs.get("sampling_temperature", 1.0) > 0 and kwargs.get("sampling_topk", 1)
                != 1)
