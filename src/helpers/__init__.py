"""Helpers for the Best sammen notebooks: data → statistics → plots → site.

Notebooks import this one installed package (never a copy beside them):

- :mod:`helpers.data`   load and validate the tidy files in ``data/`` against ``data/datapackage.json``
- :mod:`helpers.stats`  intervals, tests and rounding bounds for numbers known only as rounded percentages
- :mod:`helpers.plots`  one theme and the chart functions; each returns a figure and its alt text
- :mod:`helpers.labels` English and Norwegian wording
- :mod:`helpers.notebook` the hidden setup call and the figure and table output used by every chapter
- :mod:`helpers.tables` the one table renderer (great_tables), escaping every value from data
- :mod:`helpers.parameters` the parameters a chapter may declare and their allowed values
- :mod:`helpers.audit`  the report's stated numbers checked against the data
- :mod:`helpers.pipeline`  validate, execute (cached), render with Quarto and publish the site (a package, one module per job)
"""

__all__ = ["audit", "data", "labels", "notebook", "parameters", "pipeline", "plots", "stats", "tables"]
