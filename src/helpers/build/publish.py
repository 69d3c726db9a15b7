"""One build at a time, and the swap of a complete new site into ``_site/``.

The new site is assembled in ``_build/stage-*``, given its final permissions there (pages 0644, folders 0755, whatever
the umask), and only then swapped in with two renames; ``_site.previous`` is kept until the new site is in place.
If anything fails before the second rename, ``_site/`` is the previous site; if the build dies between the renames,
the next build's :func:`recover` brings the previous site back.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

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


def publish(root: Path, stage: Path) -> None:
    set_permissions(stage)
    site, previous = root / "_site", root / "_site.previous"
    remove_tree(previous)
    if site.exists():
        os.replace(site, previous)
    try:
        os.replace(stage, site)
    except OSError:
        if previous.exists() and not site.exists():
            os.replace(previous, site)
        raise
    try:
        remove_tree(previous)
    except OSError:
        pass  # the new site is in place; the next build's recover() removes what is left


def recover(root: Path) -> None:
    """Undo a publish interrupted between its two renames, and clear scratch folders of killed builds."""
    site, previous = root / "_site", root / "_site.previous"
    if previous.exists() and not site.exists():
        os.replace(previous, site)
    elif previous.exists():
        remove_tree(previous)
    build = root / "_build"
    for pattern in ("stage-*", "exec-*"):
        for leftover in build.glob(pattern):
            remove_tree(leftover)


class BuildLock:
    """One build (or reproduce) at a time per project: the second waits up to ``timeout`` seconds, then gives up."""

    def __init__(self, root: Path, timeout: float, log: Log = print) -> None:
        from filelock import FileLock

        (root / "_build").mkdir(exist_ok=True)
        self.path = root / "_build" / "build.lock"
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
