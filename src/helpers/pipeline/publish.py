"""One build at a time, and the swap of a complete new site into ``_site/``.

The new site is assembled in ``_build/stage-*``, given its final permissions there (pages 0644, folders 0755, whatever
the umask), and only then swapped in with two renames; ``_site.previous`` is kept until the new site is in place.
If anything fails before the second rename, ``_site/`` is the previous site; if the build dies between the renames,
the next build's :func:`recover` brings the previous site back.

Before the swap every page of the table of contents must be there in each edition; the manifest of what was published
(every file's hash) is kept, so a ``_site/`` changed by anything else (a ``quarto render`` at the root, a deleted
page) is published again rather than trusted. ``_build`` on another filesystem is copied beside ``_site`` and renamed
there; a ``_site`` symlink is kept and the site published into the folder it points to.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import BuildError

Log = Callable[..., None]


def _make_writable_and_retry(function, path, _exc) -> None:  # noqa: ANN001 (shutil's onerror signature)
    """A folder someone made read-only cannot have its entries removed: give the owner write access and retry."""
    parent = Path(path).parent
    for p in (parent, Path(path)):
        try:
            p.chmod(p.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
        except OSError:
            pass
    function(path)


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        try:
            path.chmod(path.stat().st_mode | stat.S_IRWXU)
        except OSError:
            pass
        shutil.rmtree(path, onerror=_make_writable_and_retry)


def set_permissions(path: Path) -> None:
    """Pages 0644 and folders 0755: readable by any web server or link checker, writable by the owner only."""
    for p in [path, *path.rglob("*")]:
        if p.is_symlink():
            continue
        p.chmod(0o755 if p.is_dir() else 0o644)


def site_dir(root: Path) -> Path:
    """Where the site is published: ``_site/``, or the folder a ``_site`` symlink points to (the link is kept)."""
    site = root / "_site"
    if not site.is_symlink():
        return site
    target = Path(os.path.realpath(site))
    if target.exists() and not target.is_dir():
        raise BuildError(f"_site is a symlink to {target}, which is not a folder; point it at a folder or remove it")
    if not target.parent.is_dir():
        raise BuildError(f"_site is a symlink to {target}, whose folder {target.parent} does not exist; create it or "
                         "remove the link")
    return target


def manifest(site: Path) -> dict[str, str]:
    """Every file of a published site with the hash of its bytes."""
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def unpublished_changes(root: Path, record: dict[str, Any] | None) -> str | None:
    """Why ``_site/`` is not what the build published (None when it is, file for file)."""
    site = site_dir(root)
    recorded = (record or {}).get("files")
    if not site.is_dir():
        return "_site/ is missing"
    if not isinstance(recorded, dict):
        return "no record of what the build published"
    found = manifest(site)
    missing = sorted(set(recorded) - set(found))
    extra = sorted(set(found) - set(recorded))
    changed = sorted(name for name in set(found) & set(recorded) if found[name] != recorded[name])
    parts = [f"{label} {', '.join(names[:3])}{' …' if len(names) > 3 else ''}"
             for label, names in (("missing", missing), ("changed", changed), ("not published by the build", extra))
             if names]
    return "; ".join(parts) or None


def check_stage(stage: Path, expected: Sequence[str]) -> None:
    """Every page of the table of contents, in each edition, is in the site about to be published."""
    missing = [name for name in expected if not (stage / name).is_file()]
    if missing:
        raise BuildError(f"the assembled site lacks {len(missing)} page(s) of the table of contents: "
                         f"{', '.join(missing[:5])} — _site/ left as it was")


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``; across filesystems (``_build`` elsewhere), copy beside ``target`` first and
    rename there, so ``target`` still appears whole or not at all."""
    try:
        os.replace(source, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        incoming = target.with_name(target.name + ".incoming")
        remove_tree(incoming)
        try:
            shutil.copytree(source, incoming, symlinks=True)
            os.replace(incoming, target)
        except BaseException:
            remove_tree(incoming)
            raise
        remove_tree(source)


def publish(root: Path, stage: Path, expected: Sequence[str] = ()) -> dict[str, str]:
    """Swap ``stage`` in as the published site, after checking it holds every page in ``expected``; return its
    manifest (what :func:`unpublished_changes` compares ``_site/`` with)."""
    check_stage(stage, expected)
    set_permissions(stage)
    files = manifest(stage)
    site = site_dir(root)
    previous = site.with_name(site.name + ".previous")
    remove_tree(previous)
    if site.exists():
        os.replace(site, previous)  # same folder: never across filesystems
    try:
        _move(stage, site)
    except BaseException:
        if previous.exists() and not site.exists():
            os.replace(previous, site)
        raise
    try:
        remove_tree(previous)
    except OSError:
        pass  # the new site is in place; the next build's recover() removes what is left
    return files


def recover(root: Path) -> None:
    """Undo a publish interrupted between its two renames, and clear scratch folders of killed builds."""
    try:
        site = site_dir(root)
    except BuildError:
        site = root / "_site"
    previous = site.with_name(site.name + ".previous")
    remove_tree(site.with_name(site.name + ".incoming"))
    if previous.exists() and not site.exists():
        os.replace(previous, site)
    elif previous.exists():
        remove_tree(previous)
    from .reproduce import finish_rewrite

    finish_rewrite(root)  # a make reproduce killed while renaming: its journal completes the new set
    build = root / "_build"
    for pattern in ("stage-*", "exec-*"):
        for leftover in build.glob(pattern):
            remove_tree(leftover)


def lock_path(root: Path) -> Path:
    """The file every build, reproduce, variant and sweep of one project locks (also what a test holds)."""
    return root / "_build" / "build.lock"


class BuildLock:
    """One build (or reproduce) at a time per project: the second waits up to ``timeout`` seconds, then gives up."""

    def __init__(self, root: Path, timeout: float, log: Log = print) -> None:
        from filelock import FileLock

        (root / "_build").mkdir(exist_ok=True)
        self.path = lock_path(root)
        self.lock = FileLock(str(self.path))
        self.timeout = timeout
        self.log = log

    def __enter__(self) -> "BuildLock":
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            self.log(f"another build holds {self.path}; waiting up to {self.timeout:g} s …")
            try:
                self.lock.acquire(timeout=self.timeout)
            except Timeout as err:
                raise BuildError(
                    f"another build is still running (lock {self.path}); try again when it has finished"
                ) from err
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
