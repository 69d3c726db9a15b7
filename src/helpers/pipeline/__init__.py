"""Execute the chapters, render them with Quarto, publish the site — one module per job.

``python -m helpers.pipeline site`` (what ``make site`` runs) goes through them in this order:

- :mod:`.config`    the chapter list (``_quarto.yml``) and the editions (one Quarto profile each);
- :mod:`.cache`     the one cache: content-hash keys and the records that say what is up to date;
- :mod:`.execute`   papermill runs of each chapter × edition, in parallel, into ``_build/executed/``;
- :mod:`.quarto`    which Quarto to use, and the project's own installer of Quarto 1.7.34 where none is found;
- :mod:`.render`    one Quarto project per edition under ``_build/quarto/``, rendering only what changed;
- :mod:`.publish`   the lock, and the swap of a complete new site into ``_site/``;
- :mod:`.reproduce` rewriting the committed notebooks' reference outputs (``make reproduce``);
- :mod:`.cli`       the command line and the ``site`` pipeline tying the others together.

Nothing here imports what only the kernels need (matplotlib, seaborn).
"""

from .cli import build_site, main
from .config import BuildError

__all__ = ["BuildError", "build_site", "main"]
