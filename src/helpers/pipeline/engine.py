"""papermill with inline values: the one way the build and ``make reproduce`` execute a notebook.

papermill's nbclient engine runs code cells only. This engine also stops at every Markdown cell that has inline
expressions (`` `{python} …` ``), asks the kernel for their values with an empty execute request carrying
``user_expressions`` (so each is evaluated after the code cells above it, as a reader reads it), and records the
answers in the cell's ``metadata.user_expressions``, the form Quarto 1.7 renders without a kernel (and JupyterLab's
MyST extension shows). An expression that raises fails the run like a failing code cell, naming the cell and the
expression.

Every run has limits, whoever starts it (the build, ``make reproduce``, ``helpers.pipeline run``): a code cell may run
for ``BEST_SAMMEN_CELL_TIMEOUT`` seconds, and a cell's outputs (or inline values) may weigh ``BEST_SAMMEN_MAX_OUTPUT_MB``
in all;
a cell past either, or whose kernel died, fails the run as :class:`CellLimitError`, naming the cell as JupyterLab
numbers it (``[n]``).
"""

from __future__ import annotations

import ast
import json
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from ..inline import expressions, kernel_expression
from .config import BuildError
from .execute import CELL_TIMEOUT_ENV, DEFAULT_MAX_OUTPUT_MB, MAX_OUTPUT_ENV, cell_timeout, output_limit_mb

NAME = "best-sammen"

class CellLimitError(BuildError):
    """A code cell that did not finish as a cell should: past the timeout, its kernel dead, or its output too big."""

    def __init__(self, number: int, first_line: str, reason: str) -> None:
        self.number, self.first_line, self.reason = number, first_line, reason
        self.place = f"cell [{number}]" + (f" (starting '{first_line[:60]}')" if first_line else "")
        super().__init__(f"{self.place} {reason}")


def output_size(output: Any) -> int:
    """Bytes an output adds to the notebook (and about what it adds to the page)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


class InlineExpressionError(RuntimeError):
    """An inline expression raised, or its value cannot be shown."""

    def __init__(self, cell_index: int, expression: str, ename: str, evalue: str) -> None:
        super().__init__(f"{ename}: {evalue}")
        self.cell_index, self.expression, self.ename, self.evalue = cell_index, expression, ename, evalue


class _Client(PapermillNotebookClient):
    max_output_bytes: int = int(DEFAULT_MAX_OUTPUT_MB * 1e6)

    def _number(self, cell_index: int) -> tuple[int, str]:
        """The cell as JupyterLab numbers it (papermill's injected cell is not in the committed notebook)."""
        number = 0
        for cell in self.nb.cells[:cell_index + 1]:
            if cell.cell_type == "code" and "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
                number += 1
        lines = "".join(self.nb.cells[cell_index].source).strip().splitlines()
        return number, lines[0] if lines else ""

    def _limit_error(self, cell_index: int, reason: str) -> CellLimitError:
        return CellLimitError(*self._number(cell_index), reason)

    async def async_execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        if cell.cell_type == "markdown":
            await self._record_inline_values(cell, cell_index)
            return cell
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            raise self._limit_error(cell_index, f"ran longer than the cell timeout of {self.timeout:g} s "
                                                f"(raise it with {CELL_TIMEOUT_ENV} or --cell-timeout)") from None
        except DeadKernelError:
            raise self._limit_error(cell_index, "killed its kernel (it exited while running this cell: out of "
                                                "memory, os._exit, a crash in compiled code)") from None
        # the total, not each output: many outputs under the limit would otherwise publish a page of any size
        size = sum(output_size(output) for output in cell.get("outputs", []))
        if size > self.max_output_bytes:
            cell.outputs = []  # never written to the executed notebook, so never to a page
            raise self._limit_error(cell_index, f"produced {size / 1e6:.1f} MB of output, more than the limit "
                                                f"of {self.max_output_bytes / 1e6:g} MB per cell (raise it "
                                                f"with {MAX_OUTPUT_ENV} or --max-output-mb)")
        return result

    async def _record_inline_values(self, cell: Any, cell_index: int) -> None:
        found = list(dict.fromkeys(expressions(cell.source)))  # each once, in reading order
        cell.metadata.pop("user_expressions", None)  # a value recorded by an earlier run is never kept
        if not found:
            return
        asked = {f"e{i}": kernel_expression(e) for i, e in enumerate(found)}
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions=asked)
        reply = await self.async_wait_for_reply(msg_id, cell)
        if reply is None:
            raise InlineExpressionError(cell_index, found[0], "TimeoutError", "the kernel did not answer")
        answers = reply["content"].get("user_expressions", {})
        recorded, size = [], 0
        for key, expression in zip(asked, found):
            answer = answers.get(key, {"status": "error", "ename": "KernelError", "evalue": "no answer"})
            if answer.get("status") != "ok":
                raise InlineExpressionError(cell_index, expression, answer.get("ename", "Error"),
                                            answer.get("evalue", ""))
            # the kernel answers with repr() of the Markdown string: read it back as the string it is
            markdown = ast.literal_eval(answer["data"]["text/plain"])
            size += len(markdown.encode("utf-8"))
            if size > self.max_output_bytes:
                raise InlineExpressionError(cell_index, expression, "OutputTooLarge",
                                            f"with it the cell's values weigh more than "
                                            f"{self.max_output_bytes / 1e6:g} MB, the limit per cell")
            recorded.append({"expression": expression,
                             "result": {"status": "ok", "data": {"text/markdown": markdown}, "metadata": {}}})
        cell.metadata["user_expressions"] = recorded

    # nbclient binds the synchronous wrapper to its own coroutine function: bind it to the override
    execute_cell = run_sync(async_execute_cell)


class InlineEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`_Client` (same arguments)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
                                 stderr_file: Any = None, start_timeout: int = 60, execution_timeout: Any = None,
                                 **kwargs: Any) -> Any:
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                                    startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                                    stdout_file=stdout_file, stderr_file=stderr_file)
        max_output = final_kwargs.pop("max_output_bytes", None)
        client = _Client(nb_man, **final_kwargs)
        if max_output:
            client.max_output_bytes = int(max_output)
        return client.execute()


papermill_engines.register(NAME, InlineEngine)


def execute_notebook(source: str, output: str, cell_timeout_s: float | None = None, max_output_bytes: int | None = None,
                     **kwargs: Any) -> Any:
    """``papermill.execute_notebook`` with inline values recorded and the run's limits (defaults: the environment's,
    else :data:`DEFAULT_CELL_TIMEOUT` and :data:`DEFAULT_MAX_OUTPUT_MB`)."""
    import papermill

    timeout = cell_timeout_s or cell_timeout()
    limit = max_output_bytes or int(output_limit_mb() * 1e6)
    import os

    from .. import paths

    # what the chapter writes goes to the folder its runner chose, as the build collects it (helpers.paths)
    saved = os.environ.get(paths.OUTPUTS_ENV)
    if kwargs.get("cwd"):
        os.environ[paths.OUTPUTS_ENV] = os.path.realpath(kwargs["cwd"])
    try:
        return papermill.execute_notebook(source, output, engine_name=NAME, execution_timeout=timeout,
                                          max_output_bytes=limit, **kwargs)
    finally:
        if saved is None:
            os.environ.pop(paths.OUTPUTS_ENV, None)
        else:
            os.environ[paths.OUTPUTS_ENV] = saved
