"""The geometry of the reports' bar charts, for small SVG templates
(templates/queue/charts/): coordinates in the SVG's own units, which its viewBox
scales to any width. Colours come from CSS classes (static/css/queue.css), never
from style attributes: the Content-Security-Policy allows no inline style."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# Narrow enough that the text stays legible when a phone shrinks the chart.
WIDTH = 480
COLUMN_HEIGHT = 180  # the plot of a column chart, without its labels
LABEL_ROOM = 28  # below the columns: the week's label
TOP_ROOM = 18  # above the highest column: its total
BAR_HEIGHT = 22
BAR_GAP = 8
NAME_ROOM = 150  # left of the bars: their names
NAME_LENGTH = 20  # characters of a name that fit there
VALUE_ROOM = 110  # right of the longest bar: its figure

Number = int | Decimal


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: str  # the CSS class's suffix: ``series-<key>``
    label: str
    value: Number


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    x: float  # the column's middle, for its labels
    total: Number
    total_y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ColumnChart:
    width: int
    height: int
    baseline: float
    label_y: float
    columns: tuple[Column, ...]
    legend: tuple[tuple[str, str], ...]  # (series key, label)


def stacked_columns(
    groups: Sequence[tuple[str, Sequence[Number]]], series: Sequence[tuple[str, str]]
) -> ColumnChart:
    """One column per group, its values stacked in the order of ``series``; the
    tallest column fills the plot."""
    top = max((sum(values) for _, values in groups), default=0) or 1
    slot = WIDTH / max(len(groups), 1)
    width = min(slot * 0.6, 90)
    baseline = float(TOP_ROOM + COLUMN_HEIGHT)
    columns = []
    for n, (label, values) in enumerate(groups):
        middle = slot * n + slot / 2
        y = baseline
        segments = []
        for (key, name), value in zip(series, values, strict=True):
            if not value:
                continue
            height = float(value) / float(top) * COLUMN_HEIGHT
            y -= height
            segments.append(
                Segment(middle - width / 2, round(y, 2), width, round(height, 2), key, name, value)
            )
        columns.append(Column(label, middle, sum(values), round(y - 4, 2), tuple(segments)))
    return ColumnChart(
        width=WIDTH,
        height=int(baseline + LABEL_ROOM),
        baseline=baseline,
        label_y=baseline + LABEL_ROOM - 8,
        columns=tuple(columns),
        legend=tuple(series),
    )


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Number
    text: str  # the figure as the table says it
    series: str
    y: float
    width: float
    text_y: float  # the middle of the bar, where its name and figure sit
    value_x: float


def _short(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    name_room: int
    name_x: int
    bar_height: int
    bars: tuple[Bar, ...]


def horizontal_bars(rows: Sequence[tuple[str, Number, str, str]]) -> BarChart:
    """One bar per row (label, value, figure, series), on one scale: the longest
    fills the room between the names and the figures."""
    top = max((float(value) for _, value, _, _ in rows), default=0) or 1
    room = WIDTH - NAME_ROOM - VALUE_ROOM
    bars = []
    for n, (label, value, text, series) in enumerate(rows):
        y = n * (BAR_HEIGHT + BAR_GAP)
        width = round(max(float(value) / top * room, 0), 2)
        bars.append(
            Bar(
                label=_short(label),
                value=value,
                text=text,
                series=series,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT / 2,
                value_x=round(NAME_ROOM + width + 6, 2),
            )
        )
    return BarChart(
        width=WIDTH,
        height=max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        name_room=NAME_ROOM,
        name_x=NAME_ROOM - 8,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
    )
