"""Which Quarto renders the site, and the project's own installer for machines without one.

Order of preference:

1. ``quarto`` on ``PATH`` when it reports version 1.7 or newer (a user's own installation);
2. Quarto 1.7.34 already assembled in ``.tools/quarto-1.7.34/`` (git-ignored);
3. assembling it there, once, from Quarto's source bundle (``QUARTO_SOURCE_BUNDLE``, else
   ``../shared/quarto/quarto-cli-1.7.34-src.tar.xz`` beside the project) with deno and dart-sass from npm and pandoc
   3.6 from PyPI — Quarto's usual installers download from GitHub, which these machines cannot reach;
4. otherwise a message saying how to install Quarto.

pandoc 3.9 breaks Quarto 1.7's Lua filters while exiting 0, so the assembled Quarto carries pandoc 3.6.1 of its own.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from .. import paths
from .config import BuildError

VERSION = "1.7.34"
MINIMUM = (1, 7)
DENO = "1.46.3"          # quarto-cli's own pin at v1.7.34 (file `configuration`)
DART_SASS = "1.85.1"     # quarto-cli's DARTSASS pin
PYPANDOC_BINARY = "1.15"  # ships pandoc 3.6.1; Quarto 1.7.34 pins 3.6.3, and pandoc 3.9 breaks its filters
BUNDLE_NAME = f"quarto-cli-{VERSION}-src.tar.xz"
BUNDLE_SHA256 = "fa3b6350a2f409252856f1f11b1d9bd3fa6e0a69cc53645e0d1885b8a4f6102e"
BUNDLE_ENV = "QUARTO_SOURCE_BUNDLE"

HOW_TO_INSTALL = (
    "Quarto 1.7 or newer is needed to render the site. Install it from https://quarto.org/docs/get-started/ and put "
    f"`quarto` on PATH, or point {BUNDLE_ENV} at {BUNDLE_NAME} (Quarto's source at tag v{VERSION}) so the build can "
    "assemble it offline with deno and dart-sass from npm and pandoc from PyPI."
)

# What Quarto's own development launcher does, without downloads or type checking. Paths are the wrapper's own.
WRAPPER = """#!/usr/bin/env bash
# Quarto {version} run from its source, assembled by helpers.build.quarto (do not edit: re-created on install).
BIN="$(cd "$(dirname "$(readlink -f "${{BASH_SOURCE[0]}}")")" && pwd)"
ROOT="$(cd "$BIN/.." && pwd)"
QSRC="$ROOT/quarto-cli/src"
export QUARTO_BIN_PATH="$BIN"                 # tools are looked up in $QUARTO_BIN_PATH/tools/x86_64/
export QUARTO_SHARE_PATH="$QSRC/resources/"
export QUARTO_ROOT="$ROOT/quarto-cli"
export QUARTO_FORCE_VERSION={version}          # a source run would otherwise report 99.9.9
export QUARTO_DEBUG=false
export DENO_DIR="$ROOT/deno_cache"            # transpile cache, filled on the first run
export DENO_NO_UPDATE_CHECK=1
export XDG_CACHE_HOME="$ROOT/xdg-cache"       # Quarto's compiled-sass cache, kept out of the home folder
export XDG_DATA_HOME="$ROOT/xdg-data"
case "${{1:-}}" in --version|-v) echo "$QUARTO_FORCE_VERSION"; exit 0 ;; esac
exec "$BIN/tools/x86_64/deno" run --unstable-ffi --unstable-kv --no-config --no-lock --allow-all --no-check \\
  "--v8-flags=--enable-experimental-regexp-engine,--max-old-space-size=8192,--max-heap-size=8192" \\
  "--importmap=$QSRC/offline_import_map.json" "$QSRC/quarto.ts" "$@"
"""


def install_dir() -> Path:
    """In the checkout, not in a copy of the project: every copy (tests, benchmarks) shares one installation."""
    return paths.checkout() / ".tools" / f"quarto-{VERSION}"


def version_of(executable: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(g) for g in match.groups() if g is not None) if match else None


def default_bundle(root: Path) -> Path | None:
    named = os.environ.get(BUNDLE_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise BuildError(f"{BUNDLE_ENV}={named}: no such file. {HOW_TO_INSTALL}")
        return path
    for project in (root, paths.checkout(), *_local_origin(paths.checkout())):
        beside = project.parent / "shared" / "quarto" / BUNDLE_NAME
        if beside.is_file():
            return beside
    return None


def _local_origin(checkout: Path) -> list[Path]:
    """The checkout this one was cloned from, when that is a folder on this machine (a clone made to test a fresh
    checkout, e.g. in a temporary folder, finds the bundle beside its origin)."""
    try:
        url = subprocess.run(["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    origin = Path(url.removeprefix("file://")) if url and "://" not in url.removeprefix("file://") else None
    return [origin.resolve()] if origin is not None and origin.is_dir() else []


@functools.cache
def _find(root: Path) -> str:
    on_path = shutil.which("quarto")
    if on_path:
        found = version_of(on_path)
        if found and found[:2] >= MINIMUM:
            return on_path
    ours = install_dir() / "bin" / "quarto"
    if ours.exists():
        return str(ours)
    bundle = default_bundle(root)
    if bundle is None:
        seen = f" (found {on_path}, which is older than 1.7)" if on_path else ""
        raise BuildError(f"Quarto not found{seen}. {HOW_TO_INSTALL}")
    return str(install(bundle))


def find(root: Path) -> str:
    """The ``quarto`` executable to use, assembling Quarto first where needed (see the module's docstring)."""
    return _find(root.resolve())


def _run(args: list[str], what: str, cwd: Path | None = None) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"installing Quarto: {what} failed ({' '.join(args[:4])} …):\n{proc.stderr.strip()[-1500:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install(bundle: Path, log=print) -> Path:
    """Assemble Quarto into ``.tools/quarto-<version>/`` (in a scratch folder first: never half-installed)."""
    from filelock import FileLock

    target = install_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / "install.lock")):  # two builds at once install once
        if (target / "bin" / "quarto").exists():
            return target / "bin" / "quarto"
        return _assemble(bundle, target, log)


def _assemble(bundle: Path, target: Path, log) -> Path:
    log(f"  assembling Quarto {VERSION} from {bundle} (once; about a minute) …")
    if bundle.name == BUNDLE_NAME and _sha256(bundle) != BUNDLE_SHA256:
        raise BuildError(f"{bundle}: checksum differs from Quarto {VERSION}'s source bundle; refusing to install it")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="quarto-install-", dir=target.parent))
    try:
        # 1. Quarto's source (TypeScript, vendored dependencies, resources, an offline import map)
        source = scratch / "quarto-cli"
        with tarfile.open(bundle, "r:xz") as tar:
            members = []
            for member in tar.getmembers():
                parts = Path(member.name).parts[1:]  # drop the bundle's top folder
                if parts:
                    member.name = str(Path(*parts))
                    members.append(member)
            tar.extractall(source, members=members, filter="data")
        if not (source / "src" / "quarto.ts").exists():
            raise BuildError(f"{bundle} does not hold Quarto's source (no src/quarto.ts)")
        # 2. deno and dart-sass from npm, pandoc from PyPI
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(f"installing Quarto needs npm (for deno and dart-sass). {HOW_TO_INSTALL}")
        (scratch / "npm").mkdir()
        (scratch / "npm" / "package.json").write_text('{"name": "quarto-tools", "private": true}\n')
        _run([npm, "install", "--no-audit", "--no-fund", "--silent", f"@deno/linux-x64-glibc@{DENO}",
              f"sass-embedded-linux-x64@{DART_SASS}"], "npm install of deno and dart-sass", cwd=scratch / "npm")
        wheels = scratch / "wheels"
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(wheels),
              f"pypandoc-binary=={PYPANDOC_BINARY}"], "pip download of pandoc")
        wheel = next(wheels.glob("pypandoc_binary-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            zf.extract("pypandoc/files/pandoc", wheels / "unpacked")
        tools = scratch / "bin" / "tools" / "x86_64"
        tools.mkdir(parents=True)
        modules = scratch / "npm" / "node_modules"
        links = {
            "deno": modules / "@deno" / "linux-x64-glibc" / "deno",
            "dart-sass": modules / "sass-embedded-linux-x64" / "dart-sass",
            "pandoc": wheels / "unpacked" / "pypandoc" / "files" / "pandoc",
        }
        for name, path in links.items():
            if path.is_file():
                path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)  # npm drops the x bit
            (tools / name).symlink_to(os.path.relpath(path, tools))
        wrapper = scratch / "bin" / "quarto"
        wrapper.write_text(WRAPPER.format(version=VERSION), encoding="utf-8")
        wrapper.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"  Quarto {VERSION} ready: {target / 'bin' / 'quarto'}")
    return target / "bin" / "quarto"
