"""Helpers for the Best sammen notebooks: data → statistics → plots → site.

Notebooks import this one installed package (never a copy beside them):

- :mod:`helpers.data`   load and validate the tidy files in ``data/`` against ``data/datapackage.json``
- :mod:`helpers.stats`  intervals, tests and rounding bounds for numbers known only as rounded percentages
- :mod:`helpers.plots`  one theme and the chart functions; each returns a figure and its alt text
- :mod:`helpers.labels` English and Norwegian wording
- :mod:`helpers.notebook` the hidden setup call, parameter checks and figure output used by every chapter
- :mod:`helpers.audit`  the report's stated numbers checked against the data
- :mod:`helpers.build`  execute (with cache), render and publish the site
"""

__all__ = ["audit", "build", "data", "labels", "notebook", "plots", "stats"]
