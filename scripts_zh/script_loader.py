"""Load and check script files; compose a family's CallbackScript (and the 特别关注 variant)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from scripts_zh.policy import PolicyRecord, ProductFamily
from scripts_zh.script_errors import ScriptError, ScriptProblem, problem_at, validation_problems
from scripts_zh.script_schema import (
    CallbackScript,
    FamilyScriptFile,
    Insertion,
    ScriptFile,
    ScriptStep,
    ScriptVariantFile,
    StepLibraryFile,
    StepOverride,
)
from scripts_zh.yaml_source import MarkedYaml, YamlSyntaxError, load_marked_yaml

DATA_DIR = Path(__file__).parent / "data"
SPECIAL_ATTENTION = "special_attention"
_FILE_ADAPTER: TypeAdapter[ScriptFile] = TypeAdapter(ScriptFile)
_MODELS = (
    StepLibraryFile,
    FamilyScriptFile,
    ScriptVariantFile,
    ScriptStep,
    StepOverride,
    Insertion,
)


@dataclass(frozen=True)
class LoadedFile:
    """A validated script file with the positions of its YAML, for later cross-file checks."""

    path: Path
    content: ScriptFile
    marked: MarkedYaml


def read_script_file(path: Path) -> LoadedFile:
    """Parse and validate one file; raises ScriptError naming lines on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScriptError([ScriptProblem(path, 1, 1, "", f"cannot read: {err}")]) from err
    try:
        marked = load_marked_yaml(text)
    except YamlSyntaxError as err:
        problem = ScriptProblem(path, err.position.line, err.position.column, "", err.message)
        raise ScriptError([problem]) from err
    problems = [
        ScriptProblem(path, p.position.line, p.position.column, "", p.message)
        for p in marked.problems
    ]
    try:
        content = _FILE_ADAPTER.validate_python(marked.data)
    except ValidationError as err:
        raise ScriptError(problems + validation_problems(path, marked, err, _MODELS)) from err
    if problems:
        raise ScriptError(problems)
    return LoadedFile(path, content, marked)


@dataclass(frozen=True)
class ScriptSources:
    """Every file of a script directory, by role."""

    library: LoadedFile
    families: dict[ProductFamily, LoadedFile]
    variants: dict[str, LoadedFile]


def read_script_dir(data_dir: Path = DATA_DIR) -> ScriptSources:
    """All *.yaml files of a directory: exactly one step library, family scripts, variants."""
    loaded: list[LoadedFile] = []
    problems: list[ScriptProblem] = []
    for path in sorted(data_dir.glob("*.yaml")):
        try:
            loaded.append(read_script_file(path))
        except ScriptError as err:
            problems.extend(err.problems)
    if problems:
        raise ScriptError(problems)
    libraries = [f for f in loaded if isinstance(f.content, StepLibraryFile)]
    if len(libraries) != 1:
        raise ScriptError([ScriptProblem(data_dir, 1, 1, "", "need exactly one step_library file")])
    return ScriptSources(
        library=libraries[0],
        families={f.content.family: f for f in loaded if isinstance(f.content, FamilyScriptFile)},
        variants={f.content.variant: f for f in loaded if isinstance(f.content, ScriptVariantFile)},
    )


def compose_script(
    sources: ScriptSources, family: ProductFamily, variant: str | None = None
) -> CallbackScript:
    """The family's steps resolved against the library, with the variant's steps inserted."""
    library = sources.library.content
    family_file = sources.families.get(family)
    if family_file is None or not isinstance(library, StepLibraryFile):
        raise ScriptError(
            [ScriptProblem(sources.library.path, 1, 1, "", f"no script for {family}")]
        )
    content = family_file.content
    assert isinstance(content, FamilyScriptFile)
    steps = _family_steps(family_file, content, library)
    version = f"{content.version}+lib{library.version}"
    strict = False
    if variant is not None:
        variant_file = sources.variants.get(variant)
        if variant_file is None:
            raise ScriptError([ScriptProblem(family_file.path, 1, 1, "", f"no variant {variant}")])
        steps = _apply_variant(variant_file, steps)
        assert isinstance(variant_file.content, ScriptVariantFile)
        version += f"+{variant}{variant_file.content.version}"
        strict = variant_file.content.explained_item_is_problem
    return CallbackScript(
        family, content.script_id, version, variant, library.messages, tuple(steps), strict
    )


def _library_by_id(
    steps: tuple[ScriptStep, ...], file: LoadedFile, key: str
) -> dict[str, ScriptStep]:
    """Steps by id; a duplicate id is an error at its line."""
    by_id: dict[str, ScriptStep] = {}
    problems = []
    for i, step in enumerate(steps):
        if step.id in by_id:
            problems.append(
                problem_at(file.path, file.marked, (key, i, "id"), f"duplicate step id {step.id!r}")
            )
        by_id[step.id] = step
    if problems:
        raise ScriptError(problems)
    return by_id


def _family_steps(
    file: LoadedFile, content: FamilyScriptFile, library: StepLibraryFile
) -> list[ScriptStep]:
    shared = _library_by_id(library.steps, file, "steps")
    local = _library_by_id(content.extra_steps, file, "extra_steps")
    available = {**shared, **local}
    steps, problems = [], []
    for i, entry in enumerate(content.steps):
        step_id = entry.use if isinstance(entry, StepOverride) else entry
        step = available.get(step_id)
        if step is None:
            path = ("steps", i, "use") if isinstance(entry, StepOverride) else ("steps", i)
            problems.append(problem_at(file.path, file.marked, path, f"unknown step {step_id!r}"))
            continue
        if isinstance(entry, StepOverride):
            changes = {
                k: v
                for k, v in (("prompt", entry.prompt), ("explanations", entry.explanations))
                if v is not None
            }
            step = step.model_copy(update=changes)
        steps.append(step)
    if problems:
        raise ScriptError(problems)
    return steps


def _apply_variant(file: LoadedFile, steps: list[ScriptStep]) -> list[ScriptStep]:
    content = file.content
    assert isinstance(content, ScriptVariantFile)
    extra = _library_by_id(content.steps, file, "steps")
    result = list(steps)
    problems = []
    for i, insertion in enumerate(content.insertions):
        missing = [s for s in insertion.steps if s not in extra]
        ids = [step.id for step in result]
        if missing or (insertion.after is not None and insertion.after not in ids):
            what = (
                f"unknown step(s) {missing}"
                if missing
                else f"no step {insertion.after!r} to insert after"
            )
            problems.append(problem_at(file.path, file.marked, ("insertions", i), what))
            continue
        at = ids.index(insertion.after) + 1 if insertion.after else len(result)
        result[at:at] = [extra[s] for s in insertion.steps]
    if problems:
        raise ScriptError(problems)
    return result


def load_script(
    family: ProductFamily, *, special_attention: bool = False, data_dir: Path = DATA_DIR
) -> CallbackScript:
    """The composed script for a family, the stricter 特别关注 variant if asked."""
    variant = SPECIAL_ATTENTION if special_attention else None
    return compose_script(read_script_dir(data_dir), family, variant)


def script_for(policy: PolicyRecord, data_dir: Path = DATA_DIR) -> CallbackScript:
    """The script a policy's callback uses: its family's, stricter when on the special list."""
    return load_script(policy.family, special_attention=policy.special_attention, data_dir=data_dir)
