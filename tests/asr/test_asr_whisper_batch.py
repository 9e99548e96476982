"""Batched decodes across streams: the batching policy on a virtual clock, the batcher with a
fake model, and the real model's texts batched and one by one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest
from asr_testkit import manifest

from asr.codec import pcm16_to_float
from asr.engines import load_engine
from asr.engines.whisper import WhisperEngine
from asr.engines.whisper_batch import BatchCollector, BatchDecodeError, BatchPolicy, DecodeBatcher
from asr.errors import AsrError
from asr.stream import RecognitionStream
from asr.wavfile import read_audio
from huifang.settings import Settings, asr_config


class VirtualClock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_lone_item_waits_out_the_window_then_goes_alone() -> None:
    collector: BatchCollector[str] = BatchCollector(BatchPolicy(window_s=0.005, max_batch=4))
    clock = VirtualClock()
    assert collector.due_in(clock()) is None
    collector.add("a", clock())
    assert collector.due_in(clock()) == pytest.approx(0.005)
    clock.now += 0.003
    assert collector.due_in(clock()) == pytest.approx(0.002)
    clock.now += 0.002
    assert collector.due_in(clock()) == 0.0
    assert collector.take() == ["a"]
    assert collector.due_in(clock()) is None


def test_items_within_the_window_share_a_batch_in_arrival_order() -> None:
    collector: BatchCollector[str] = BatchCollector(BatchPolicy(window_s=0.01, max_batch=4))
    clock = VirtualClock()
    collector.add("a", clock())
    clock.now += 0.004
    collector.add("b", clock())
    # The window runs from the first item: b does not restart it.
    assert collector.due_in(clock()) == pytest.approx(0.006)
    clock.now += 0.006
    assert collector.take() == ["a", "b"]


def test_a_full_batch_starts_at_once_and_the_rest_waits_for_the_next() -> None:
    collector: BatchCollector[int] = BatchCollector(BatchPolicy(window_s=1.0, max_batch=3))
    clock = VirtualClock()
    for k in range(5):
        collector.add(k, clock())
    assert collector.due_in(clock()) == 0.0
    assert collector.take() == [0, 1, 2]
    assert collector.due_in(clock()) == pytest.approx(1.0)
    clock.now += 1.0
    assert collector.take() == [3, 4]


def test_items_queued_while_the_model_was_busy_go_at_once() -> None:
    """What waited behind a running batch is past its window when the model frees up."""
    collector: BatchCollector[str] = BatchCollector(BatchPolicy(window_s=0.005, max_batch=8))
    clock = VirtualClock()
    collector.add("a", clock())
    clock.now += 0.3  # a batch was running
    collector.add("b", clock())
    assert collector.due_in(clock()) == 0.0
    assert collector.take() == ["a", "b"]


def test_with_two_batch_threads_idle_each_takes_half_of_what_waits() -> None:
    """Seven queued for two idle replicas: four now, the rest for the other, not all on one."""
    collector: BatchCollector[int] = BatchCollector(BatchPolicy(window_s=0.0, max_batch=8))
    for k in range(7):
        collector.add(k, 0.0)
    assert collector.take(threads=2) == [0, 1, 2, 3]
    assert collector.due_in(0.0) == 0.0  # the rest of a due batch is due too
    assert collector.take(threads=2) == [4, 5]
    assert collector.take(threads=2) == [6]
    collector.add(7, 1.0)
    assert collector.due_in(1.0) == 0.0  # window 0: due anyway


def test_what_a_thread_leaves_of_a_full_batch_is_due_at_once() -> None:
    collector: BatchCollector[str] = BatchCollector(BatchPolicy(window_s=3600.0, max_batch=2))
    collector.add("a", 0.0)
    collector.add("b", 0.0)
    assert collector.take(threads=2) == ["a"]
    assert collector.due_in(0.0) == 0.0
    assert collector.take(threads=2) == ["b"]
    collector.add("c", 1.0)
    assert collector.due_in(1.0) == pytest.approx(3600.0)  # a fresh item waits its window


def test_a_window_of_zero_never_waits() -> None:
    collector: BatchCollector[str] = BatchCollector(BatchPolicy(window_s=0.0, max_batch=8))
    collector.add("a", 5.0)
    assert collector.due_in(5.0) == 0.0


@pytest.mark.parametrize("policy", [dict(window_s=-1.0), dict(max_batch=0),
                                    dict(max_batch=8, max_pending=4)])
def test_a_bad_policy_is_refused(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="bad batch policy"):
        BatchPolicy(**policy)  # type: ignore[arg-type]


class FakeModel:
    """Upper-cases each item; records the batches it ran; can be told to fail or hold."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.fail_on: str | None = None
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()
        self.running = threading.Condition()
        self.started_count = 0

    def run(self, items: Sequence[str]) -> list[str]:
        with self.running:
            self.started_count += 1
            self.running.notify_all()
        self.started.set()
        self.release.wait()
        self.batches.append(list(items))
        if self.fail_on in items:
            raise RuntimeError(f"model failed on {self.fail_on}")
        return [item.upper() for item in items]


def test_each_caller_gets_its_own_result_from_one_batch() -> None:
    model = FakeModel()
    # A window no test waits out: the batch starts because it is full.
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=3600.0, max_batch=3))
    try:
        futures = [batcher.submit(item) for item in ("a", "b", "c")]
        assert [f.result() for f in futures] == ["A", "B", "C"]
        assert model.batches == [["a", "b", "c"]]
        assert batcher.batch_sizes == {3: 1}
    finally:
        batcher.close()


def test_what_arrives_while_a_batch_runs_forms_the_next_batch() -> None:
    model = FakeModel()
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=0.0, max_batch=8))
    try:
        model.release.clear()
        first = batcher.submit("a")
        model.started.wait()
        later = [batcher.submit(item) for item in ("b", "c", "d")]
        model.release.set()
        assert first.result() == "A"
        assert [f.result() for f in later] == ["B", "C", "D"]
        assert model.batches == [["a"], ["b", "c", "d"]]
    finally:
        batcher.close()


def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_runs() -> None:
    model = FakeModel()
    model.fail_on = "b"
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=3600.0, max_batch=2))
    try:
        futures = [batcher.submit(item) for item in ("a", "b")]
        for future in futures:
            with pytest.raises(RuntimeError, match="model failed on b"):
                future.result()
        assert [f.result() for f in [batcher.submit("c"), batcher.submit("d")]] == ["C", "D"]
    finally:
        batcher.close()


def test_a_model_giving_the_wrong_number_of_results_is_an_error() -> None:
    batcher: DecodeBatcher[str, str] = DecodeBatcher(
        lambda items: ["only one"], BatchPolicy(window_s=3600.0, max_batch=2))
    try:
        futures = [batcher.submit(item) for item in ("a", "b")]
        with pytest.raises(BatchDecodeError, match="a batch of 2 gave 1 results"):
            futures[0].result()
    finally:
        batcher.close()


def test_two_batch_threads_share_what_waits_and_run_at_once() -> None:
    """One thread per model replica: four waiting go as two batches of two, side by side."""
    model = FakeModel()
    model.release.clear()
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=3600.0, max_batch=4), threads=2)
    try:
        futures = [batcher.submit(item) for item in "abcd"]
        with model.running:
            model.running.wait_for(lambda: model.started_count == 2)  # both held at once
        model.release.set()
        assert [f.result() for f in futures] == ["A", "B", "C", "D"]
        assert batcher.batch_sizes == {2: 2}
    finally:
        batcher.close()


def test_close_decodes_what_is_queued_then_refuses_more() -> None:
    model = FakeModel()
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=3600.0, max_batch=8))
    future = batcher.submit("a")
    batcher.close()  # does not wait out the hour
    assert future.result() == "A"
    with pytest.raises(BatchDecodeError, match="closed"):
        batcher.submit("b")


def test_a_full_queue_holds_the_caller_until_a_batch_takes_room() -> None:
    model = FakeModel()
    model.release.clear()
    batcher = DecodeBatcher(model.run, BatchPolicy(window_s=0.0, max_batch=2, max_pending=2))
    try:
        first = batcher.submit("a")
        model.started.wait()  # "a" is running; two more fill the queue
        queued = [batcher.submit("b"), batcher.submit("c")]
        fourth: list[object] = []
        waiter = threading.Thread(target=lambda: fourth.append(batcher.submit("d")))
        waiter.start()
        assert not fourth  # it cannot have queued: the queue is full and the model held
        model.release.set()
        waiter.join()
        assert [f.result() for f in (first, *queued)] == ["A", "B", "C"]
        assert fourth[0].result() == "D"  # type: ignore[attr-defined]
    finally:
        batcher.close()


@lru_cache(maxsize=2)
def short_engine(batch: bool) -> WhisperEngine:
    """The configured Whisper model with the callbacks' 10 s window, batched or not."""
    config = replace(asr_config(Settings(), "whisper"), whisper_short_window_s=10.0,
                     whisper_batch=batch, whisper_batch_window_ms=5.0, whisper_batch_max=8)
    engine = load_engine(config)
    assert isinstance(engine, WhisperEngine)
    return engine


@pytest.mark.slow
def test_the_real_model_gives_each_utterance_the_same_text_batched_as_alone() -> None:
    """All fixture clips (clean and telephone band) in one batch, and each alone."""
    decoder = short_engine(False)._short
    assert decoder is not None
    audios = [pcm16_to_float(read_audio(e.path).mono16k()) for e in manifest()]
    assert len(audios) >= 6 and all(decoder.fits(len(a)) for a in audios)
    alone = [decoder.decode(audio) for audio in audios]
    together = decoder.decode_batch(audios)
    assert [a and a[0] for a in together] == [a and a[0] for a in alone]
    for one, many in zip(alone, together, strict=True):
        assert (one is None) == (many is None)
        if one is not None and many is not None:
            assert many[1] == pytest.approx(one[1], abs=1e-4)


@pytest.mark.slow
def test_recordings_decoded_side_by_side_through_the_batcher_keep_their_texts() -> None:
    """Reproducible file recognisers of several legs at once: batched finals = unbatched."""
    clips = [read_audio(e.path).mono16k() for e in manifest()]
    legs = [np.concatenate([clips[k], np.zeros(8000, np.int16), clips[(k + 1) % len(clips)]])
            for k in range(len(clips))]

    def finals(engine: WhisperEngine) -> list[list[str]]:
        streams = [RecognitionStream(engine, f"leg{k}", recognizer=engine.new_file_recognizer())
                   for k in range(len(legs))]
        for stream, audio in zip(streams, legs, strict=True):
            stream.push(audio)
            stream.end()
        return [[t.text for t in s.results() if t.is_final] for s in streams]

    batched = short_engine(True)
    assert finals(batched) == finals(short_engine(False))
    assert sum(batched.batch_sizes.values()) >= 1


def test_the_batch_settings_reach_every_recogniser_config() -> None:
    from huifang.calls.desk import live_asr_config
    from huifang.calls.options import callback_asr_config

    settings = Settings(whisper_batch=True, whisper_batch_window_ms=2.0, whisper_batch_max=4)
    for config in (asr_config(settings), callback_asr_config(settings),
                   live_asr_config(settings)):
        assert (config.whisper_batch, config.whisper_batch_window_ms,
                config.whisper_batch_max) == (True, 2.0, 4)
    assert Settings.model_fields["whisper_batch"].default is False  # not better measured yet


@pytest.mark.slow
def test_a_failing_batch_ends_each_stream_with_its_error() -> None:
    engine = short_engine(True)
    real = engine._short
    assert real is not None
    fits, features = real.fits, real.features

    class Broken:
        def __init__(self) -> None:
            self.fits, self.features = fits, features

        def decode_features(self, features: object) -> list[object]:
            raise RuntimeError("model broke")

    engine._short = Broken()  # type: ignore[assignment]
    try:
        clip = read_audio(manifest()[0].path).mono16k()
        streams = [RecognitionStream(engine, f"leg{k}") for k in range(2)]
        for stream in streams:
            stream.push(clip)
            stream.end()
        for stream in streams:
            with pytest.raises(AsrError, match="model broke"):
                list(stream.results())
    finally:
        engine._short = real
