"""One lock: requirements.lock pins every package of the environment with its hashes; pyproject.toml's pins are in it,
and make, CI and environment.yml install from it."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

LOCK = ROOT / "requirements.lock"


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _direct() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]


def _locked() -> dict[str, tuple[str, list[str]]]:
    """Each locked package: its version and the hashes the lock allows for it."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text()):
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", block)
        if match:
            entries[_name(match.group(1))] = (match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return entries


def test_pyproject_pins_every_dependency():
    unpinned = [d for d in _direct() if "==" not in d]
    assert not unpinned, f"unpinned dependencies: {unpinned}"


def test_the_lock_holds_every_pin_of_pyproject_with_hashes():
    locked = _locked()
    drift = {name: (version, locked.get(name, ("missing",))[0]) for name, version in _pins(_direct()).items()
             if locked.get(name, ("",))[0] != version}
    assert not drift, f"pyproject.toml pin → lock (lock again with the command at the top of requirements.lock): {drift}"
    # the installer and the build backend are pinned as well, not upgraded to whatever is newest
    assert {"pip", "setuptools"} <= set(locked)
    unhashed = [name for name, (_, hashes) in locked.items() if not hashes]
    assert not unhashed, f"locked without a hash: {unhashed}"


def test_make_ci_and_conda_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    stamp = makefile[makefile.index("$(STAMP):"):].split("\n\n", 1)[0]
    assert "requirements.lock" in stamp.splitlines()[0], "the environment is rebuilt when the lock changes"
    assert "--require-hashes -r requirements.lock" in stamp
    assert "--upgrade" not in stamp and "'.[dev]'" not in stamp, "nothing beside the lock decides a version"
    assert "make test" in (ROOT / ".ci" / "run").read_text(), "CI installs through make's lock step"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip_section == ["-r requirements.lock"], "environment.yml repeats no pin: it installs the lock"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11", "the lock is resolved for CPython 3.11"


def test_the_installed_environment_is_the_lock():
    """What this test run imports is what the lock says (a venv left from before a lock change fails: run make)."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("run from another environment than the project's .venv")
    differs = {}
    for name, (version, _) in _locked().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed != version:
            differs[name] = (version, installed)
    assert not differs, f"locked → installed (run make to install the lock): {differs}"


def test_every_target_that_draws_a_diagram_installs_graphviz_first():
    """A fresh machine gets Debian's graphviz from `make site`, `make test` and CI, before a notebook needs dot."""
    makefile = (ROOT / "Makefile").read_text()
    for target in ("site", "test", "test-fast", "reproduce", "variant", "sweep", "preview", "bench"):
        rule = next(line for line in makefile.splitlines() if line.startswith(f"{target}:"))
        assert "graphviz-deps" in rule.split(":", 1)[1], f"make {target} does not install graphviz first"
    assert "./tools/ensure-graphviz.sh" in makefile[makefile.index("graphviz-deps:"):]
    assert "./tools/ensure-graphviz.sh" in (ROOT / ".ci" / "run").read_text()
