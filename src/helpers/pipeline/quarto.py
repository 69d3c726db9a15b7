"""Which Quarto renders the site, and the project's own installer for machines without one.

Order of preference:

1. ``quarto`` on ``PATH`` when it reports version 1.7 or newer (a user's own installation);
2. Quarto 1.7.34 already assembled in ``.tools/quarto-1.7.34/`` (git-ignored);
3. assembling it there, once, from Quarto's source bundle (``QUARTO_SOURCE_BUNDLE``, else
   ``../shared/quarto/quarto-cli-1.7.34-src.tar.xz`` beside the project) with deno and dart-sass from npm and pandoc
   3.6 from PyPI — Quarto's usual installers download from GitHub, which these machines cannot reach;
4. otherwise a message saying how to install Quarto.

pandoc 3.9 breaks Quarto 1.7's Lua filters while exiting 0, so the assembled Quarto carries pandoc 3.6.1 of its own.

The assembled tree carries a manifest (every file it was assembled with, and its size); a tree that no longer
matches it (files removed or truncated while a build ran) is assembled again. Quarto runs through :func:`run`, in a
process group of its own that :func:`end_all` kills when the build is interrupted.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
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
# Quarto {version} run from its source, assembled by helpers.pipeline.quarto (do not edit: re-created on install).
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


TOOLS_ENV = "BEST_SAMMEN_TOOLS"
MANIFEST = "manifest.json"
#: what the assembly put there and nothing changes later (Quarto fills deno_cache/ and xdg-*/ as it runs)
_MANIFEST_PARTS = ("bin", "npm", "quarto-cli", "wheels")
#: files without which no page renders: checked first, and enough to adopt an installation assembled before manifests
KEY_FILES = ("bin/quarto", "bin/tools/x86_64/deno", "bin/tools/x86_64/pandoc", "bin/tools/x86_64/dart-sass",
             "quarto-cli/src/quarto.ts", "quarto-cli/src/resources/filters/main.lua",
             "quarto-cli/src/offline_import_map.json")


def install_dir() -> Path:
    """In the checkout, not in a copy of the project: every copy (tests, benchmarks) shares one installation.
    ``BEST_SAMMEN_TOOLS`` names another folder instead of ``.tools/`` (to try a damaged copy, say)."""
    tools = os.environ.get(TOOLS_ENV)
    return (Path(tools).expanduser().resolve() if tools else paths.checkout() / ".tools") / f"quarto-{VERSION}"


def _tree_files(target: Path) -> dict[str, int]:
    found = {}
    for part in _MANIFEST_PARTS:
        for folder, _, names in os.walk(target / part):
            for name in names:
                path = Path(folder) / name
                try:
                    found[str(path.relative_to(target))] = path.stat().st_size  # a symlink: what it points to
                except OSError:
                    found[str(path.relative_to(target))] = -1
    return found


def write_manifest(target: Path) -> None:
    fd, partial = tempfile.mkstemp(prefix=MANIFEST, dir=target)  # two builds adopting one tree at once
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(_tree_files(target), sort_keys=True))
    os.chmod(partial, 0o644)
    os.replace(partial, target / MANIFEST)


def damage(target: Path) -> str | None:
    """What is wrong with the assembled Quarto in ``target`` (a file missing or of another size), or None if whole.

    A tree assembled before manifests were written is adopted (its manifest written now) when its key files are in
    place: assembling again would replace a tree other builds may be running from."""
    for name in KEY_FILES:
        if not (target / name).exists():  # follows the tool links: a removed npm or wheels folder shows here
            return f"{name} is missing"
    manifest = target / MANIFEST
    if not manifest.exists():
        write_manifest(target)
        return None
    try:
        expected = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"its {MANIFEST} is unreadable"
    if not isinstance(expected, dict):
        return f"its {MANIFEST} is unreadable"
    found = _tree_files(target)
    for name, size in expected.items():
        if found.get(name) != size:
            return f"{name} is {'missing' if name not in found else 'changed'}"
    return None


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
    if install_dir().exists():
        wrong = damage(install_dir())
        if wrong is None:
            return str(ours)
        print(f"  the assembled Quarto in {install_dir()} is damaged ({wrong}); assembling it again", flush=True)
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
        if target.exists() and damage(target) is None:
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
        write_manifest(scratch)
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"  Quarto {VERSION} ready: {target / 'bin' / 'quarto'}")
    return target / "bin" / "quarto"


# --------------------------------------------------------------------------------------------------------------------
# Running Quarto


_running: set[int] = set()  # process groups of the Quarto runs under way (one per edition being rendered)
_running_lock = threading.RLock()  # end_all runs in a signal handler, maybe while this thread holds it
_stopping = threading.Event()  # set by end_all: a render thread starts no further Quarto
_NO_SPACE = re.compile(r"No space left on device|ENOSPC|os error 28|Disk quota exceeded|EDQUOT|os error 122")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PAGE = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)", re.M)


def run(args: list[str], cwd: Path, env: dict[str, str], page: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run Quarto in a process group of its own (deno, pandoc, dart-sass with it) and return its combined output.

    A full disk is named in one line (the page, the disk, what was kept) instead of Quarto's TypeScript stack; a
    failure of the assembled Quarto because its files went missing says it will be assembled again."""
    with _running_lock:
        if _stopping.is_set():
            raise BuildError(f"rendering {page or 'the book'}: the build was interrupted")
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True, preexec_fn=_die_with_parent)
        _running.add(proc.pid)
    try:
        out, _ = proc.communicate()
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        with _running_lock:
            _running.discard(proc.pid)
    if proc.returncode != 0:
        pages = _PAGE.findall(_ANSI.sub("", out))  # Quarto's "[ 3/12] notebooks/…" progress lines
        what = page or (f"{pages[-1]} (or the book's shared files after it)" if pages else "the book")
        if _NO_SPACE.search(out):
            raise BuildError(f"rendering {what}: {no_space(cwd)} — Quarto stopped; _site/ left as it was, the executed "
                             "notebooks kept in _build/executed/")
        executable = Path(args[0])
        if executable.is_relative_to(install_dir()) and damage(install_dir()) is not None:
            raise BuildError(f"rendering {what}: the assembled Quarto in {install_dir()} is damaged "
                             f"({damage(install_dir())}); the next build assembles it again. _site/ left as it was")
    return subprocess.CompletedProcess(args, proc.returncode, without_stack(out), None)


def without_stack(output: str) -> str:
    """Quarto's output without the TypeScript stack traces it prints under an error (frames of Quarto's own source
    that tell a reader nothing; the error line above them stays)."""
    kept, in_stack = [], False
    for line in output.splitlines():
        bare = _ANSI.sub("", line).strip()
        if bare == "Stack trace:":
            in_stack = True
            continue
        if in_stack and (bare.startswith("at ") or not bare):
            continue
        in_stack = False
        kept.append(line)
    return "\n".join(kept) + ("\n" if output.endswith("\n") else "")


_LIBC = None
if sys.platform.startswith("linux"):
    import ctypes

    _LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: the child of a fork must not import or load anything


def _die_with_parent() -> None:
    """In Quarto's process before it starts: PR_SET_PDEATHSIG, so a build killed outright (SIGKILL, no handler runs)
    takes Quarto with it; in its own process group, nothing else would."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL)


def no_space(path: Path) -> str:
    """'no space left on the disk holding <mount point> (N MB free)' for the filesystem of ``path``."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    mount = path.resolve()
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    try:
        free = shutil.disk_usage(path).free / 1e6
        room = f" ({free:.0f} MB free)"
    except OSError:
        room = ""
    return f"no space left on the disk holding {mount}{room}, writing under {path}"


def is_no_space(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass  # already gone


def end_all() -> None:
    """Kill every Quarto run under way and all it started (called when the build is interrupted)."""
    with _running_lock:
        _stopping.set()
        groups = list(_running)
    for pgid in groups:
        _kill_group(pgid)
