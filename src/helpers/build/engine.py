"""papermill with inline values: the one way the build and ``make reproduce`` execute a notebook.

papermill's nbclient engine runs code cells only. This engine also stops at every Markdown cell that has inline
expressions (`` `{python} …` ``), asks the kernel for their values with an empty execute request carrying
``user_expressions`` (so each is evaluated after the code cells above it, as a reader reads it), and records the
answers in the cell's ``metadata.user_expressions``, the form Quarto 1.7 renders without a kernel (and JupyterLab's
MyST extension shows). An expression that raises fails the run like a failing code cell, naming the cell and the
expression.
"""

from __future__ import annotations

import ast
from typing import Any

from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from ..inline import expressions, kernel_expression

NAME = "best-sammen"


class InlineExpressionError(RuntimeError):
    """An inline expression raised, or its value cannot be shown."""

    def __init__(self, cell_index: int, expression: str, ename: str, evalue: str) -> None:
        super().__init__(f"{ename}: {evalue}")
        self.cell_index, self.expression, self.ename, self.evalue = cell_index, expression, ename, evalue


class _Client(PapermillNotebookClient):
    async def async_execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        if cell.cell_type == "markdown":
            await self._record_inline_values(cell, cell_index)
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

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
        recorded = []
        for key, expression in zip(asked, found):
            answer = answers.get(key, {"status": "error", "ename": "KernelError", "evalue": "no answer"})
            if answer.get("status") != "ok":
                raise InlineExpressionError(cell_index, expression, answer.get("ename", "Error"),
                                            answer.get("evalue", ""))
            # the kernel answers with repr() of the Markdown string: read it back as the string it is
            markdown = ast.literal_eval(answer["data"]["text/plain"])
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
        return _Client(nb_man, **final_kwargs).execute()


papermill_engines.register(NAME, InlineEngine)


def execute_notebook(source: str, output: str, **kwargs: Any) -> Any:
    """``papermill.execute_notebook`` with inline values recorded (same arguments)."""
    import papermill

    return papermill.execute_notebook(source, output, engine_name=NAME, **kwargs)
