"""Script files: a typo or a wrong type is an error naming the file, the line and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts_zh.policy import ProductFamily
from scripts_zh.script_errors import ScriptError
from scripts_zh.script_loader import DATA_DIR, load_script, read_script_file


@pytest.fixture
def script_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped script files."""
    for path in DATA_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence of old; returns the 1-based line where new now stands."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        read_script_file(path)
    return [str(problem) for problem in caught.value.problems]


def test_misspelt_key_names_its_line_and_suggests_the_key(script_dir: Path) -> None:
    path = script_dir / "common_steps.yaml"
    line = _edit(path, "    topic: 退保损失\n    prompt:", "    topic: 退保损失\n    promtp:")
    problems = _problems(path)
    assert any(
        p.startswith(f"{path}:{line + 1}:") and "unknown key 'promtp'" in p and "'prompt'" in p
        for p in problems
    ), problems


def test_wrong_type_names_its_line_and_value(script_dir: Path) -> None:
    path = script_dir / "common_steps.yaml"
    line = _edit(path, "    item: 5\n", "    item: five\n")
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:")
    assert "steps[" in problems[0] and ".item" in problems[0] and "'five'" in problems[0]


def test_unknown_placeholder_is_an_error_at_the_prompt(script_dir: Path) -> None:
    path = script_dir / "common_steps.yaml"
    line = _edit(path, "请问您是{holder_name}", "请问您是{holder_nmae}")
    problems = _problems(path)
    assert len(problems) == 1 and f":{line}:" in problems[0] and "{holder_nmae}" in problems[0]


def test_duplicate_key_is_an_error(script_dir: Path) -> None:
    path = script_dir / "traditional.yaml"
    line = _edit(path, 'version: "2024.1"\n', 'version: "2024.1"\nversion: "2024.2"\n') + 1
    problems = _problems(path)
    assert problems == [f"{path}:{line}:1: duplicate key 'version'"]


def test_yaml_syntax_error_names_the_line(script_dir: Path) -> None:
    path = script_dir / "traditional.yaml"
    line = _edit(path, "  - documents_read\n", "  - documents_read: [unclosed\n")
    problems = _problems(path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:")
    assert int(problems[0].split(":")[1]) >= line


def test_unknown_step_reference_names_the_family_file_line(script_dir: Path) -> None:
    path = script_dir / "traditional.yaml"
    line = _edit(path, "  - documents_read\n", "  - documents_raed\n")
    with pytest.raises(ScriptError) as caught:
        load_script(ProductFamily.TRADITIONAL, data_dir=script_dir)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:5: steps[3]: unknown step 'documents_raed'"
    ]


def test_missing_required_field_is_reported(script_dir: Path) -> None:
    path = script_dir / "common_steps.yaml"
    _edit(path, "    problem_kind: concealment\n", "")
    problems = _problems(path)
    assert any("problem_kind: Field required" in p for p in problems), problems
