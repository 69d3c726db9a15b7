"""The parameters a chapter may declare and the values each may take.

Kept apart from :mod:`helpers.notebook` so the build can check parameters without importing what only kernels need
(matplotlib, pandas).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .labels import LANGS


class ParameterError(ValueError):
    """A notebook parameter is unknown or outside its allowed values."""


@dataclass(frozen=True)
class Choice:
    values: tuple[Any, ...]

    def check(self, name: str, value: Any) -> None:
        if value not in self.values:
            allowed = ", ".join(repr(v) for v in self.values)
            raise ParameterError(f"parameter '{name}' = {value!r} is not allowed; allowed values: {allowed}")


@dataclass(frozen=True)
class Between:
    low: float
    high: float
    inclusive: bool = False

    def check(self, name: str, value: Any) -> None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            ok = self.low <= value <= self.high if self.inclusive else self.low < value < self.high
        if not ok:
            bracket = ("[", "]") if self.inclusive else ("(", ")")
            raise ParameterError(
                f"parameter '{name}' = {value!r} is not allowed; allowed values: a number in "
                f"{bracket[0]}{self.low}, {self.high}{bracket[1]}"
            )


#: Every parameter any chapter may declare, with its allowed values. A chapter declares a subset in its
#: ``parameters`` cell; the build refuses names a chapter does not declare.
PARAMETERS: dict[str, Choice | Between] = {
    "lang": Choice(LANGS),
    "confidence": Between(0.5, 1.0),
    "leader_share": Between(0.0, 1.0),
}


def check_parameters(values: Mapping[str, Any], declared: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`ParameterError` for a name that is not declared or a value outside its allowed set."""
    known = declared if declared is not None else PARAMETERS
    for name, value in values.items():
        if name not in known:
            raise ParameterError(
                f"unknown parameter '{name}'; this notebook declares: {', '.join(sorted(known)) or 'none'}"
            )
        spec = PARAMETERS.get(name)
        if spec is None:
            raise ParameterError(f"parameter '{name}' has no allowed values in helpers.parameters.PARAMETERS")
        spec.check(name, value)
