"""The parameters a chapter may declare, the values each may take, and what each is for.

Kept apart from :mod:`helpers.notebook` so the build can check parameters without importing what only kernels need
(matplotlib, pandas). The same checks run wherever a notebook runs: the build and ``helpers.pipeline run`` check before
executing (:func:`check_parameters` against the ``parameters`` cell), and ``notebook.setup`` checks again inside the
kernel, so a misspelt name or an out-of-range value fails under plain ``papermill`` too (:func:`check_injected`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .labels import LANGS


class ParameterError(ValueError):
    """A notebook parameter is unknown or outside its allowed values."""


@dataclass(frozen=True)
class Choice:
    values: tuple[Any, ...]
    help: str = ""

    def check(self, name: str, value: Any) -> None:
        # True == 1 in Python: a bool choice must not accept 1, nor a numeric choice True
        if not any(value == v and type(value) is type(v) for v in self.values):
            raise ParameterError(f"parameter '{name}' = {value!r} is not allowed; allowed values: {self.allowed()}")

    def allowed(self) -> str:
        return ", ".join(repr(v) for v in self.values)


@dataclass(frozen=True)
class Between:
    low: float
    high: float
    inclusive: bool = False
    help: str = ""

    def check(self, name: str, value: Any) -> None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            ok = self.low <= value <= self.high if self.inclusive else self.low < value < self.high
        if not ok:
            raise ParameterError(f"parameter '{name}' = {value!r} is not allowed; allowed values: {self.allowed()}")

    def allowed(self) -> str:
        bracket = ("[", "]") if self.inclusive else ("(", ")")
        return f"a number in {bracket[0]}{self.low:g}, {self.high:g}{bracket[1]}"


Spec = Choice | Between

#: Every parameter any chapter may declare, with its allowed values and what it is for. A chapter declares a subset
#: in its ``parameters`` cell, with the default that gives the published page; the build refuses names a chapter
#: does not declare.
PARAMETERS: dict[str, Spec] = {
    "lang": Choice(LANGS, "the edition's language; set by the build from the Quarto profile"),
    # chapter 1
    "confidence": Between(0.5, 1.0, help="confidence level of every interval in chapter 1"),
    "leader_share": Between(0.0, 1.0, help="leaders' share of ALL employees, used to re-weight the respondents' "
                                           "answers (the report gives only their share of the respondents)"),
    "nonrespondent_awareness": Between(0.0, 1.0, inclusive=True, help=(
        "how aware the employees who did not answer are, as a fraction of the respondents' share who have heard of "
        "the strategy: 1 = as aware as the respondents, 0 = none of them has heard of it")),
    "correction": Choice(("holm", "bonferroni", "none"), help=(
        "how the leader/non-leader tests of chapter 1 are adjusted for being many: Holm, Bonferroni, or not at all")),
    # chapter 2
    "count_hedged": Choice((True, False), help=(
        "whether a measure the report gives a status only with a hedge ('til dels' = partly, 'ser ut til' = seems; "
        "measures.csv status_qualifier) counts in that status, as the report's summary counts it; False counts it "
        "apart, as a status the report does not settle")),
    # chapters 3 and 4
    "include_inferred": Choice((True, False), help=(
        "whether what is our reading of the report (kind 'inferred') counts: in chapter 3 the links between measures "
        "and goal areas read from the column of the report's Table 1 a measure sits in, in chapter 4 the sharing "
        "status of a service area the report describes only indirectly; False counts only what the report states")),
    # the audit appendix
    "verbal_tolerance": Between(0.0, 50.0, inclusive=True, help=(
        "how many percentage points a verbal fraction ('1 av 3') may lie outside its band and still be loose "
        "wording rather than inconsistent (helpers.audit.VERBAL_FRACTION_TOLERANCE_POINTS); 0 makes every miss "
        "inconsistent")),
}

#: The names papermill may add on its own (``--inject-paths``, ``--inject-input-path`` …): not a reader's parameters.
PAPERMILL_NAMES = frozenset({"PAPERMILL_INPUT_PATH", "PAPERMILL_OUTPUT_PATH"})

#: The comment papermill writes first in the cell it injects (``papermill.translators``, Python).
INJECTED_MARK = "# Parameters"


def spec(name: str) -> Spec:
    try:
        return PARAMETERS[name]
    except KeyError:
        raise ParameterError(f"parameter '{name}' has no allowed values in helpers.parameters.PARAMETERS") from None


def check_parameters(values: Mapping[str, Any], declared: Iterable[str] | None = None) -> None:
    """Raise :class:`ParameterError` for a name that is not declared or a value outside its allowed set."""
    known = list(declared) if declared is not None else list(PARAMETERS)
    for name, value in values.items():
        if name not in known:
            raise ParameterError(unknown_message(name, known))
        spec(name).check(name, value)


def unknown_message(name: str, declared: Iterable[str]) -> str:
    declared = sorted(declared)
    listed = "; ".join(f"{n} ({PARAMETERS[n].allowed()})" if n in PARAMETERS else n for n in declared)
    return f"unknown parameter '{name}'; this notebook declares: {listed or 'none'}"


def injected_names(cell_sources: Iterable[str]) -> set[str]:
    """The names assigned in the cells papermill injected (those that start with its ``# Parameters`` comment)."""
    names: set[str] = set()
    for source in cell_sources:
        if not isinstance(source, str) or not source.lstrip().startswith(INJECTED_MARK):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names - PAPERMILL_NAMES


def check_injected(cell_sources: Iterable[str], declared: Iterable[str]) -> None:
    """Refuse a name papermill injected that the notebook does not declare: papermill itself only warns ("Passed
    unknown parameter") and runs on with the default, so a misspelt assumption would silently not be applied."""
    declared = list(declared)
    unknown = sorted(injected_names(cell_sources) - set(declared))
    if unknown:
        raise ParameterError(unknown_message(unknown[0], declared))


def parse_value(name: str, text: str) -> Any:
    """A value typed on the command line (``0.2``, ``true``, ``holm``) as the parameter's type, then checked."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    kind = PARAMETERS.get(name)
    if kind is None:
        return value  # an unknown name: the check against the notebook's declared names says so, listing them
    if isinstance(kind, Choice) and value not in kind.values and text in kind.values:
        value = text  # "none" reads as YAML's null, "no" as false in old YAML: the choice's own string wins
    if isinstance(kind, Choice) and isinstance(value, str) and value.lower() in ("true", "false") \
            and True in kind.values:
        value = value.lower() == "true"
    kind.check(name, value)
    return value
