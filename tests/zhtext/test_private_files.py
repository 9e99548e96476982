"""Personal data files are 0600 in 0700 folders whatever the umask."""

import os
import stat
from pathlib import Path

from storage.database import make_engine
from zhtext.private_files import open_private, private_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_folders_are_private_under_an_open_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = private_dir(tmp_path / "recordings" / "2026")
        with open_private(folder / "call.wav") as f:
            f.write(b"x")
        make_engine(f"sqlite:///{tmp_path / 'db' / 'huifang.db'}").dispose()
    finally:
        os.umask(old)
    assert _mode(folder) == _mode(folder.parent) == 0o700
    assert _mode(folder / "call.wav") == 0o600
    assert _mode(tmp_path / "db") == 0o700
    assert _mode(tmp_path / "db" / "huifang.db") == 0o600
