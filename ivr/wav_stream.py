"""A WAV file that stays playable while it grows, and repair of one left by a killed process.

Crash safety takes two steps: the writer patches the RIFF and data sizes in the header every
`patch_every_s` of audio (and flushes to the OS), so a file cut off by SIGKILL is a valid WAV
missing at most that much audio at its end; `repair_wav` (run on start-up through
`recover_recordings`) then sets the sizes from the file's real length, recovering the tail.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from zhtext.private_files import open_private

HEADER_BYTES = 44
_RIFF_SIZE_AT = 4
_DATA_SIZE_AT = 40


def wav_header(channels: int, sample_rate: int, data_bytes: int) -> bytes:
    """A canonical 44-byte PCM16 WAV header."""
    block_align = channels * 2
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate,
                                    sample_rate * block_align, block_align, 16)
            + b"data" + struct.pack("<I", data_bytes))


class GrowingWav:
    """Append PCM16 frames to a WAV whose header is kept valid as it grows."""

    def __init__(self, path: Path, channels: int, sample_rate: int,
                 patch_every_s: float = 1.0) -> None:
        self.path = path
        self.channels = channels
        self.sample_rate = sample_rate
        self._patch_every = max(1, int(patch_every_s * sample_rate)) * channels * 2
        self._file: BinaryIO = open_private(path)  # closed in close()
        self._file.write(wav_header(channels, sample_rate, 0))
        self._file.flush()  # a call cut off before its first patch still leaves a WAV
        self._data_bytes = 0
        self._unpatched = 0

    @property
    def frames_written(self) -> int:
        """Sample frames (one sample per channel) written so far."""
        return self._data_bytes // (self.channels * 2)

    def append(self, interleaved_pcm: bytes) -> None:
        """Write interleaved PCM16 samples; patch the header when enough has accumulated."""
        self._file.write(interleaved_pcm)
        self._data_bytes += len(interleaved_pcm)
        self._unpatched += len(interleaved_pcm)
        if self._unpatched >= self._patch_every:
            self._patch_header()

    def _patch_header(self) -> None:
        f = self._file
        f.seek(_RIFF_SIZE_AT)
        f.write(struct.pack("<I", 36 + self._data_bytes))
        f.seek(_DATA_SIZE_AT)
        f.write(struct.pack("<I", self._data_bytes))
        f.seek(0, os.SEEK_END)
        f.flush()  # into the kernel: survives the process being killed
        self._unpatched = 0

    def close(self) -> None:
        """Final header patch and close."""
        if self._file.closed:
            return
        self._patch_header()
        self._file.close()


def repair_wav(path: Path) -> bool:
    """Set a canonical WAV's sizes from its real length; True when something was fixed."""
    with open(path, "r+b") as f:
        header = f.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[36:40] != b"data":
            return False
        block_align = struct.unpack_from("<H", header, 32)[0] or 1
        actual = os.fstat(f.fileno()).st_size - HEADER_BYTES
        actual -= actual % block_align  # a frame cut in half by the kill is dropped
        if struct.unpack_from("<I", header, _DATA_SIZE_AT)[0] == actual:
            return False
        f.truncate(HEADER_BYTES + actual)
        f.seek(_RIFF_SIZE_AT)
        f.write(struct.pack("<I", 36 + actual))
        f.seek(_DATA_SIZE_AT)
        f.write(struct.pack("<I", actual))
    return True


def recover_recordings(directory: Path) -> list[Path]:
    """Repair every WAV under `directory` left by a killed process; the repaired paths."""
    if not directory.is_dir():
        return []
    return [path for path in sorted(directory.glob("*.wav")) if repair_wav(path)]
