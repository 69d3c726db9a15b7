"""The plotting theme: a style sheet that must stay what seaborn's set_theme would set."""

from __future__ import annotations

import subprocess
import sys

import matplotlib as mpl
import pytest

from helpers import plots

# keys seaborn sets that the style sheet leaves out on purpose: the backend, and a colour map only seaborn registers
NOT_IN_THEME = {"backend", "backend_fallback", "image.cmap"}


def _comparable(rc: dict) -> dict:
    rc = dict(rc)
    rc["axes.prop_cycle"] = [mpl.colors.to_hex(c) for c in rc["axes.prop_cycle"].by_key()["color"]]
    return rc


def _seaborn_theme() -> dict:
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(style="whitegrid", palette="colorblind", font_scale=1.25)
        return _comparable(mpl.rcParams)


def test_style_sheet_equals_seaborns_theme():
    expected = _seaborn_theme()
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.style.use(plots.THEME)
        ours = _comparable(mpl.rcParams)
    differ = {k: (ours[k], v) for k, v in expected.items()
              if k not in NOT_IN_THEME and (ours[k] != pytest.approx(v) if isinstance(v, float) else ours[k] != v)}
    assert not differ, f"theme.mplstyle differs from seaborn's theme (ours, seaborn's): {differ}"


def test_palette_is_seaborns_colourblind_palette():
    import seaborn as sns

    assert [c.lower() for c in plots.PALETTE] == sns.color_palette("colorblind").as_hex()


def test_chapters_draw_without_importing_seaborn_or_scipy():
    code = ("import sys; from helpers import plots, audit, notebook; notebook.setup('x', lang='en'); "
            "print(sorted(m for m in ('seaborn', 'scipy', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"imported at set-up: {out}"
