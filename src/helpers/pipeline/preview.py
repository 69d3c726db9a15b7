"""``make preview``: one edition served by Quarto's preview server, rebuilt through the cache when a file is saved.

The build first brings both editions up to date (as ``make site``). Quarto's preview then serves the edition's
rendered project (``_build/quarto/<edition>/_site``) and reloads the browser when a page there changes; it renders
nothing itself (``--no-render --no-watch-inputs``), so every page still comes from the one pipeline: a saved notebook
or data file is executed by papermill with its inline values recorded (only the chapters whose inputs changed, as the
cache decides) and rendered by :func:`helpers.pipeline.render.render_edition`, with the build's checks. A failed rebuild
is printed and the last good page stays served; the published ``_site/`` is left to ``make site``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from . import config, execute, publish, quarto, render
from .config import BuildError

Log = Callable[..., None]


def watched_files(root: Path) -> dict[str, int]:
    """What a rebuild may depend on, with its modification time: the notebooks, the data, the shared page inputs."""
    names = [p.source for p in config.pages(config.load_quarto(root))]
    names += render.shared_inputs(root, config.load_quarto(root))
    files = [root / n for n in names] + sorted((root / "data").glob("*"))
    return {str(f.relative_to(root)): f.stat().st_mtime_ns for f in files if f.is_file()}


def rebuild(root: Path, edition: config.Edition, log: Log) -> list[str]:
    """Execute and render what changed in ``edition``; return the pages rendered."""
    from .cli import validate

    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    with publish.BuildLock(root, 60, log):
        book_pages = config.pages(config.load_quarto(root))
        validate(root, lambda *_: None)
        tasks = execute.plan(root, [edition], book_pages)

        execute.execute_all(root, tasks, (os.cpu_count() or 1) + 1, lambda *_: None)
        shared = render.shared_inputs(root, config.load_quarto(root))
        return render.render_edition(root, quarto.find(root), edition, book_pages, shared)["rendered"]


def serve(root: Path, edition_name: str = "en", port: int = 4848, log: Log = print, poll: float = 0.25) -> None:
    """Build, then serve ``edition_name`` and rebuild on every save until interrupted."""
    from .cli import build_site

    editions = {e.name: e for e in config.editions(root)}
    if edition_name not in editions:
        raise BuildError(f"no edition '{edition_name}'; the editions are {', '.join(editions)}")
    edition = editions[edition_name]
    build_site(root, log=log)
    args = [quarto.find(root), "preview", "--no-render", "--no-watch-inputs", "--no-browser", "--port", str(port)]
    if edition.profile:
        args += ["--profile", edition.profile]
    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROFILE"}
    server = subprocess.Popen(args, cwd=render.project_dir(root, edition), env=env)
    log(f"previewing the {edition_name} edition at http://localhost:{port}/ — save a notebook or data file to rebuild "
        "it; Ctrl-C stops")
    seen = watched_files(root)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # a terminated preview stops Quarto's server too

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        while server.poll() is None:
            time.sleep(poll)
            now = watched_files(root)
            if now == seen:
                continue
            changed = sorted(k for k in set(now) | set(seen) if now.get(k) != seen.get(k))
            seen = now
            started = time.perf_counter()
            try:
                pages = rebuild(root, edition, log)
            except BuildError as err:
                log(f"rebuild failed after saving {', '.join(changed)} (the last good page stays served):\n  {err}")
                continue
            log(f"saved {', '.join(changed)} → refreshed {', '.join(pages) or 'nothing (no page changed)'} in "
                f"{time.perf_counter() - started:.1f} s")
    except KeyboardInterrupt:
        log("preview stopped")
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
