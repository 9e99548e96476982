"""Errors of the speech stage, each with a stable code."""

from __future__ import annotations


class AsrError(Exception):
    """Base of every error raised by asr/."""

    code = "asr_error"


class AudioInputError(AsrError):
    """Audio that cannot be read or used: names the source and the problem."""

    code = "bad_audio"

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class EngineLoadError(AsrError):
    """A speech engine or its model could not be loaded."""

    code = "engine_load_failed"


class StreamClosedError(AsrError):
    """Audio pushed into a stream whose input has already ended."""

    code = "stream_closed"
