"""A kept kernel: one Jupyter kernel per sweep worker, reused for every point it runs, reset to a fresh kernel's state
before each.

Starting a kernel and importing pandas, matplotlib, SciPy and ``helpers`` costs a chapter several seconds; a sweep
pays it once per worker instead of once per point. Each point still runs through the build's executor
(:func:`helpers.pipeline.execute.run`, papermill with the inline-value engine), given this kernel's manager, so a
point's notebook and recorded values are those of a fresh run. Before each point the kernel is put back to what a
fresh kernel would be, except for the modules it has imported (:data:`KERNEL_SIDE`):

- the IPython namespace and history (``In``, ``Out``, the execution count) are cleared;
- every module of the project (``helpers``) gets back the globals it had just after import — a changed constant
  (``audit.VERBAL_FRACTION_TOLERANCE_POINTS``) rebound, a mutated list or dict (``labels.use``'s language)
  restored — and a project module first imported by an earlier point is forgotten, to be imported afresh; function
  caches (``functools.cache``) are kept, as their keys name everything they depend on;
- matplotlib's figures are closed and its settings restored, pandas' options reset, the random generators
  re-seeded from the system as in a new process, warning filters and ``sys.path`` restored;
- the working directory and the environment become what the point's runner set (its scratch folder, its
  dependency log), as a kernel started for the point would inherit them.

A point that fails ends the kernel (it may be stuck in a cell or half-initialised): the next point starts a new one.
The kernel ends with its worker (at exit, and by ipykernel's parent poller if the worker is killed).
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from .config import BuildError

#: seconds the kernel may take to start, import the usual libraries, or reset itself: generous, since on a machine
#: whose every core is busy (a sweep beside a build, or the test suite on every core) 120 s was once not enough
TIMEOUT = 300.0

#: Run once in a new kernel: import what chapters import, then keep the state a fresh kernel has after those imports
#: in a module (``_best_sammen_kept``) that the namespace reset does not touch. ``reset`` puts it back.
KERNEL_SIDE = r'''
def _best_sammen_install():
    import copy, gc, importlib, os, pkgutil, random, sys, types, warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy
    import pandas

    import helpers

    for found in pkgutil.iter_modules(helpers.__path__, "helpers."):
        if found.name != "helpers.pipeline":  # the build is not what chapters import
            try:
                importlib.import_module(found.name)
            except Exception:  # a module that cannot be imported now fails the point that imports it, as it should
                pass

    project = [os.path.realpath(p) for p in PROJECT_DIRS]
    containers = (list, dict, set, bytearray)

    def is_project(module):
        path = getattr(module, "__file__", None)
        return bool(path) and any(os.path.realpath(path).startswith(p + os.sep) for p in project)

    def memo_for(globals_):
        # objects bound at module level (sentinels, classes, functions) stay themselves inside restored containers
        return {id(v): v for g in globals_.values() for v in g.values() if type(v) not in containers}

    modules = {name: m for name, m in sys.modules.items() if m is not None and is_project(m)}
    bindings = {name: dict(vars(m)) for name, m in modules.items()}
    memo = memo_for(bindings)
    # a module's own data, not what Python keeps in its namespace (``__builtins__`` is a dict too)
    contents = {name: {k: copy.deepcopy(v, dict(memo)) for k, v in g.items()
                       if type(v) in containers and not k.startswith("__")} for name, g in bindings.items()}
    state = types.ModuleType("_best_sammen_kept")
    state.rc = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    state.filters = list(warnings.filters)
    state.path = list(sys.path)
    state.environ = dict(os.environ)

    def reset(cwd, changed, removed):
        os.chdir(cwd)  # first: the last point's folder is gone, and a lookup of a relative path would fail
        shell = get_ipython()
        shell.reset(new_session=True)  # namespace, In/Out, execution count 1
        for name in [n for n, m in list(sys.modules.items()) if m is not None and is_project(m) and n not in modules]:
            del sys.modules[name]
        fresh = memo_for(bindings)
        for name, module in modules.items():
            space = vars(module)
            for key in [k for k in space if k not in bindings[name]]:
                del space[key]
            for key, value in bindings[name].items():
                space[key] = value
                if key in contents[name]:
                    again = copy.deepcopy(contents[name][key], dict(fresh))
                    if isinstance(value, (list, bytearray)):
                        value[:] = again
                    else:
                        value.clear()
                        value.update(again)
        plt.close("all")
        with matplotlib._api.suppress_matplotlib_deprecation_warning():
            matplotlib.rcParams.update(state.rc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
        random.seed()
        numpy.random.seed()
        warnings.filters[:] = state.filters
        getattr(warnings, "_filters_mutated", lambda: None)()  # warnings shown once are shown again
        sys.path[:] = state.path
        os.environ.clear()
        os.environ.update(state.environ)
        os.environ.update(changed)
        for key in removed:
            os.environ.pop(key, None)
        gc.collect()

    state.reset = reset
    sys.modules["_best_sammen_kept"] = state


_best_sammen_install()
del _best_sammen_install
'''


class KeptKernelError(BuildError):
    """The kept kernel could not be started or reset."""


class _Manager(AsyncKernelManager):
    """The kernel manager given to nbclient: it remembers the client nbclient creates, so that client can reset the
    kernel before the point's first cell (nbclient's ``on_notebook_start`` hook) and be closed after the point."""

    last_client: Any = None

    def client(self, **kwargs: Any) -> Any:
        self.last_client = super().client(**kwargs)
        return self.last_client


class KeptKernel:
    """One kernel, started on first use and reset before each point (see the module's docstring)."""

    def __init__(self, project_dirs: list[str]) -> None:
        self.project_dirs = project_dirs
        self.manager: _Manager | None = None
        self._start_env: dict[str, str] = {}
        self._stderr: Any = None

    # --- in the worker, outside any event loop

    def _run(self, coroutine: Any) -> Any:
        from jupyter_core.utils import run_sync

        async def wrapper() -> Any:
            return await coroutine

        return run_sync(wrapper)()

    def _execute(self, code: str) -> None:
        """Run ``code`` in the kernel, silently; raise KeptKernelError naming its error."""
        assert self.manager is not None
        client = self.manager.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=TIMEOUT)
            reply = client.execute_interactive(code, silent=True, store_history=False, timeout=TIMEOUT,
                                               output_hook=lambda msg: None)
        except TimeoutError:
            raise KeptKernelError(f"the kept kernel did not answer within {TIMEOUT:g} s") from None
        finally:
            client.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise KeptKernelError(f"the kept kernel could not prepare itself: {content.get('ename')}: "
                                  f"{content.get('evalue')}")

    def start(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # its warnings would scatter over the progress bar
        self.manager = _Manager(kernel_name="python3")
        # history in memory, as nbclient starts its kernels: no history file shared by the workers' kernels
        self._run(self.manager.start_kernel(stderr=self._stderr, stdout=self._stderr,
                                            extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        self._start_env = dict(os.environ)
        self._execute(f"PROJECT_DIRS = {self.project_dirs!r}\n{KERNEL_SIDE}\ndel PROJECT_DIRS")

    def engine_options(self) -> dict[str, Any]:
        """What :func:`helpers.pipeline.engine.execute_notebook` needs to run a point in this kernel (started if need be)."""
        if self.manager is None or not self._run(self.manager.is_alive()):
            self.shutdown()
            self.start()
        return {"km": self.manager, "on_notebook_start": self._reset}

    def finished(self, ok: bool) -> None:
        """After a point: close its client; end the kernel if the point failed."""
        if self.manager is not None and self.manager.last_client is not None:
            self.manager.last_client.stop_channels()
            self.manager.last_client = None
        if not ok:
            self.shutdown()

    def shutdown(self) -> None:
        manager, self.manager = self.manager, None
        if manager is not None:
            try:
                self._run(manager.shutdown_kernel(now=True))
            except Exception:  # already gone: nothing left to end
                pass
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    # --- inside nbclient's event loop, once the point's client is ready

    async def _reset(self, **_: Any) -> None:
        """Reset the kernel with the working directory and environment the point's runner set (papermill has
        changed into the point's folder by now)."""
        assert self.manager is not None
        now = dict(os.environ)
        changed = {k: v for k, v in now.items() if self._start_env.get(k) != v}
        removed = [k for k in self._start_env if k not in now]
        code = (f"__import__('sys').modules['_best_sammen_kept'].reset({os.getcwd()!r}, {changed!r}, {removed!r})")
        client = self.manager.last_client
        msg_id = client.execute(code, silent=True, store_history=False)
        while True:
            try:
                reply = await client.get_shell_msg(timeout=TIMEOUT)
            except Exception:
                raise KeptKernelError(f"the kept kernel did not reset within {TIMEOUT:g} s") from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KeptKernelError(f"the kept kernel could not reset: {content.get('ename')}: {content.get('evalue')}")


_local = threading.local()  # a Dask worker may run tasks in several threads: one kernel each


def worker_kernel(project_dirs: list[str]) -> KeptKernel:
    """This worker thread's kept kernel (created on first use, ended when the worker exits)."""
    kernel = getattr(_local, "kernel", None)
    if kernel is None or kernel.project_dirs != project_dirs:
        if kernel is not None:
            kernel.shutdown()
        kernel = _local.kernel = KeptKernel(project_dirs)
        atexit.register(kernel.shutdown)
        try:  # a pool worker leaves through multiprocessing, which skips atexit
            from multiprocessing import util

            util.Finalize(kernel, kernel.shutdown, exitpriority=10)
        except ImportError:
            pass
    return kernel
