"""environment.yml (conda) and pyproject.toml (pip) pin the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def _pins(lines):
    pins = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_pyproject_pins_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    unpinned = [d for d in deps if "==" not in d]
    assert not unpinned, f"unpinned dependencies: {unpinned}"


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_pins = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_pins = _pins(pip_section)
    assert conda_pins == pip_pins, {
        "only in environment.yml": sorted(set(conda_pins.items()) - set(pip_pins.items())),
        "only in pyproject.toml": sorted(set(pip_pins.items()) - set(conda_pins.items())),
    }
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1] >= project["requires-python"].lstrip(">=")
