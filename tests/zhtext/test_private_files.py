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


def test_the_sip_layer_gets_private_files_without_the_text_converters() -> None:
    """ivr writes recordings through zhtext.private_files: that must not load cn2an, OpenCC and
    pypinyin into every SIP process (they doubled the SIP soak's memory, 51 → 114 MB)."""
    import subprocess
    import sys

    probe = ("import sys, ivr.phone; "
             "print(sorted({'cn2an', 'opencc', 'pypinyin'} & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[2]).stdout.strip()
    assert loaded == "[]"
    from zhtext import normalize_width, toneless_pinyin  # still there, loaded on first use

    assert normalize_width("ＡＢＣ１２３") == "ABC123"
    assert toneless_pinyin("回访") == ["hui", "fang"]
