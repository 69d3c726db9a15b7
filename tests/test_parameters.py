"""Chapter parameters: declared in each notebook's ``parameters`` cell, checked against ``helpers.parameters``
wherever the notebook runs — the build, ``helpers.pipeline run``, and plain ``papermill`` (the setup call checks)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import papermill
import pytest

from helpers import parameters
from helpers.pipeline import sweep
from helpers.parameters import ParameterError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "index.ipynb"]


def _setup_keywords(path: Path) -> list[str]:
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "setup":
                return [k.arg for k in node.keywords]
    return []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_declared_parameter_is_checked_documented_and_passed_to_setup(path):
    declared = papermill.inspect_notebook(str(path))
    assert list(declared) == _setup_keywords(path), (
        f"{path.name}: the parameters cell declares {list(declared)} (as papermill reads it) but setup is given "
        f"{_setup_keywords(path)}; a comment with '=' or paired quotes hides a line from papermill")
    for name, info in declared.items():
        assert name in parameters.PARAMETERS, f"{path.name}: '{name}' has no allowed values in helpers.parameters"
        assert info["help"], f"{path.name}: '{name}' has no help comment (papermill --help-notebook shows it)"
        parameters.check_parameters({name: ast.literal_eval(info["default"])})  # the default is allowed


def test_every_chapter_but_the_landing_page_has_an_analytic_parameter():
    missing = [p.name for p in NOTEBOOKS
               if p.name != "index.ipynb" and not set(papermill.inspect_notebook(str(p))) - {"lang"}]
    assert not missing, missing


@pytest.mark.parametrize("values, message", [
    ({"correction": "sidak"}, "'correction' = 'sidak' is not allowed; allowed values: 'holm', 'bonferroni', 'none'"),
    ({"include_inferred": 1}, "'include_inferred' = 1 is not allowed; allowed values: True, False"),
    ({"count_hedged": "yes"}, "'count_hedged' = 'yes' is not allowed; allowed values: True, False"),
    ({"confidence": 1.0}, "'confidence' = 1.0 is not allowed; allowed values: a number in (0.5, 1)"),
    ({"nonrespondent_awareness": -0.1}, "allowed values: a number in [0, 1]"),
    ({"leader_share": "0.2"}, "'leader_share' = '0.2' is not allowed"),
    ({"leader_shar": 0.2}, "unknown parameter 'leader_shar'; this notebook declares: lang ('en', 'nb'); leader_share"),
])
def test_a_bad_value_or_name_is_named_with_what_is_allowed(values, message):
    with pytest.raises(ParameterError) as err:
        parameters.check_parameters(values, declared=["lang", "leader_share", *values])
    if "leader_shar" in values:
        with pytest.raises(ParameterError) as err:
            parameters.check_parameters(values, declared=["lang", "leader_share"])
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_names_papermill_injected_are_read_from_its_cell_only():
    sources = ["# Parameters\nleader_shar = 0.2\nlang = 'nb'\n", "x = 1", "# a comment\ny = 2"]
    assert parameters.injected_names(sources) == {"leader_shar", "lang"}
    with pytest.raises(ParameterError, match="unknown parameter 'leader_shar'"):
        parameters.check_injected(sources, ["lang", "leader_share"])
    parameters.check_injected(sources + ["# Parameters\nPAPERMILL_INPUT_PATH = 'x'"], ["lang", "leader_shar"])


def test_values_typed_on_the_command_line_take_the_parameters_type():
    assert parameters.parse_value("include_inferred", "false") is False
    assert parameters.parse_value("count_hedged", "false") is False
    assert parameters.parse_value("correction", "none") == "none"
    assert parameters.parse_value("confidence", "0.9") == 0.9
    with pytest.raises(ParameterError, match="'correction' = 'sidak'"):
        parameters.parse_value("correction", "sidak")


def test_sweep_grids_include_the_stop_and_list_choices():
    assert sweep.grid(["leader_share=0.1:0.3:0.1"]) == [{"leader_share": v} for v in (0.1, 0.2, 0.3)]
    assert sweep.grid(["correction=holm,none", "confidence=0.9"]) == [
        {"correction": "holm", "confidence": 0.9}, {"correction": "none", "confidence": 0.9}]
    for bad, message in [("leader_share=0.1:0.3", "START:STOP:STEP"), ("correction=holm:none:1", "commas"),
                         ("leader_share=0.3:0.1:0.1", "START ≤ STOP"), ("confidence=0.9:1.0:0.05", "(0.5, 1)"),
                         ("lang=en,nb", "--edition")]:
        with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
            sweep.grid([bad])


@pytest.mark.slow
def test_plain_papermill_refuses_a_misspelt_parameter(tmp_path):
    """papermill itself only warns ("Passed unknown parameter") and runs with the default; the setup call stops it."""
    source = ROOT / "notebooks" / "04-nordic-comparison.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), parameters={"include_inferre": False},
                                   cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    assert err.value.ename == "ParameterError"
    assert "unknown parameter 'include_inferre'" in err.value.evalue and "include_inferred (True, False)" in err.value.evalue


def test_a_failed_sweep_point_is_printed_without_its_control_characters():
    # a kernel that never started fails its point with an error execute.run did not clean
    shown = sweep.failure({"share": 0.1}, "KernelError: \x1b[31mred\x1b[0m \x1b]0;title\x07text\u202e")
    assert shown == "point share=0.1: KernelError: red text", repr(shown)
