"""One plotting theme and the chart types the chapters use, one module per family of charts.

- :mod:`.core`      the theme, colours, smallest text, label wrapping and hyphenation, the overlap check
- :mod:`.bars`      bar charts (grouped, stacked, ranked, survey answers, membership) and ranges
- :mod:`.grids`     the heatmap of measures against goal areas, the Nordic status grid
- :mod:`.diagrams`  who coordinates, leads or takes part in each follow-up measure (laid out by Graphviz)
- :mod:`.timeline`  the follow-up measures' dates, each to the precision its source gives

Every chart function returns ``(figure, alt_text)`` (the figure a matplotlib Figure, or a :class:`Drawing` for a
diagram Graphviz drew): the alt text is one sentence written from the same data the
chart draws, so it cannot drift from the picture. Values the report does not give are drawn as an empty, hatched
slot labelled as such — never as zero.

Text is drawn as written and where it fits: every chart takes data text raw (a name escaped for Markdown prose is
drawn as the text it escaped, ``core._as_written``), wraps it between words or where the edition's hyphenation
dictionary allows (:func:`wrap`, pyphen), and ``ch.figure`` refuses a figure in which a text overlaps another text or
a line, measured from the drawn boxes (:func:`check_layout`).
"""

from __future__ import annotations

from .core import (  # noqa: F401
    THEME,
    PALETTE,
    MISSING_HATCH,
    FIGURE_WIDTH,
    PHONE_WIDTH,
    Drawing,
    figure_width,
    drawn_at,
    label_wrap,
    redraw,
    redrawable,
    MIN_FONT_PT,
    GROUP_COLOURS,
    colour,
    set_theme,
    hyphenation_points,
    wrap,
    layout_problems,
    check_layout,
    _segment_hits_box,
    _segments_cross,
)
from .bars import (  # noqa: F401
    BAR_PITCH,
    CLUSTER_GAP,
    LABEL_WRAP,
    LABEL_LINE,
    grouped_bars,
    AUDIT_COLOURS,
    stacked_counts,
    ranges,
    membership_bars,
    ranked_bars,
    survey_bars,
)
from .grids import (  # noqa: F401
    heatmap,
    STATUS_COLOURS,
    status_grid,
)
from .diagrams import (  # noqa: F401
    RELATION_STYLES,
    diagram_graph,
    diagram,
)
from .timeline import (  # noqa: F401
    timeline,
)

__all__ = [
    'THEME',
    'PALETTE',
    'MISSING_HATCH',
    'FIGURE_WIDTH',
    'PHONE_WIDTH',
    'Drawing',
    'figure_width',
    'drawn_at',
    'label_wrap',
    'redraw',
    'redrawable',
    'MIN_FONT_PT',
    'GROUP_COLOURS',
    'colour',
    'set_theme',
    'hyphenation_points',
    'wrap',
    'layout_problems',
    'check_layout',
    'BAR_PITCH',
    'CLUSTER_GAP',
    'LABEL_WRAP',
    'LABEL_LINE',
    'grouped_bars',
    'AUDIT_COLOURS',
    'stacked_counts',
    'ranges',
    'membership_bars',
    'ranked_bars',
    'survey_bars',
    'heatmap',
    'STATUS_COLOURS',
    'status_grid',
    'RELATION_STYLES',
    'diagram_graph',
    'diagram',
    'timeline',
]
