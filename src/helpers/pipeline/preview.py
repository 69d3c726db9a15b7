"""``make preview``: one edition served locally, rebuilt through the cache when a file is saved.

The build first brings both editions up to date (as ``make site``). A plain HTTP server (Python's ``http.server``)
then serves the edition's rendered project (``_build/quarto/<edition>/_site``); the pages it serves carry a small
script that reloads them after each successful rebuild. Not Quarto's preview server: it renders any page it serves
that it has not rendered itself (``--no-render`` only skips its first render; ``src/project/serve/serve.ts``), racing
the build's own render in the same folder. So every page comes from the one pipeline: a saved notebook or data file
is executed by papermill with its inline values recorded (only the chapters whose inputs changed, as the cache
decides) and rendered by :func:`helpers.pipeline.render.render_edition`, with the build's checks. A failed rebuild is
printed and the last good page stays served; the published ``_site/`` is left to ``make site``.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import threading
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
    server = _server(render.project_dir(root, edition) / render.OUTPUT_DIR, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log(f"previewing the {edition_name} edition at http://localhost:{port}/ — save a notebook or data file to rebuild "
        "it; Ctrl-C stops")
    seen = watched_files(root)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # a terminated preview stops its server too

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        while True:
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
            server.version += 1  # the open pages reload
            log(f"saved {', '.join(changed)} → refreshed {', '.join(pages) or 'nothing (no page changed)'} in "
                f"{time.perf_counter() - started:.1f} s")
    except KeyboardInterrupt:
        log("preview stopped")
    finally:
        server.shutdown()
        server.server_close()


#: Put into every page the preview serves (never into the site): ask the server for its version each second and
#: reload when a rebuild has changed it.
_RELOAD = (b'<script>(function(){let v=null;setInterval(async()=>{try{const r=await fetch("/__preview_version",'
           b'{cache:"no-store"});const t=await r.text();if(v!==null&&t!==v)location.reload();v=t}catch(e){}},1000)})()'
           b'</script>')


class _PreviewServer(http.server.ThreadingHTTPServer):
    version = 0
    daemon_threads = True


def _server(folder: Path, port: int) -> _PreviewServer:
    """A local server of ``folder`` that adds the reload script to each HTML page it sends."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/__preview_version":
                body = str(self.server.version).encode()  # type: ignore[attr-defined]
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html" or not target.is_file():
                return super().do_GET()
            body = target.read_bytes().replace(b"</body>", _RELOAD + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass  # one line per request would drown the rebuild's messages

    return _PreviewServer(("127.0.0.1", port), functools.partial(Handler, directory=str(folder)))
