"""Files of personal data: 0600 in 0700 folders whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path, narrow: bool = True) -> Path:
    """Make the folder (and missing parents) 0700; with `narrow`, an existing one of ours too
    (off for a folder that may be shared, such as the one a database file sits in)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for folder in missing:
        os.chmod(folder, DIR_MODE)
    if narrow and path.stat().st_uid == os.getuid():
        os.chmod(path, DIR_MODE)
    return path


def open_private(path: Path, mode: str = "wb") -> BinaryIO:
    """Open a file for writing, created or truncated, readable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, "ab" if "a" in mode else "wb")
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write the bytes to a 0600 file."""
    with open_private(path) as f:
        f.write(data)


def make_private(path: Path) -> None:
    """Narrow an existing file of ours to 0600 (no-op when missing or someone else's)."""
    try:
        if path.stat().st_uid == os.getuid():
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


def private_key(path: Path, size: int = 32) -> bytes:
    """The secret key kept in `path`, made of `size` random bytes (0600, folder 0700) when
    missing; of two processes making it at once, the first one linked in wins for both."""
    if not path.exists():
        private_dir(path.parent)
        draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        write_private(draft, os.urandom(size))
        try:
            os.link(draft, path)  # atomic, and refused when the key exists by now
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) < 16:
        raise ValueError(f"{path}: a key of {len(key)} bytes is too short (16 at least)")
    return key
