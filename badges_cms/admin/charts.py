"""A small server-side SVG line chart for the issuance report.

No JavaScript and no charting library: the chart is geometry worked out here and drawn by a
template. It is readable without colour: every line is drawn in the text colour (so it also
follows the admin's dark theme) and told apart by its dash pattern and marker shape, and each
line is labelled at its end; the report prints the same figures as a table beside it.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# (stroke-dasharray, marker) per series, in order: solid + circles, dashed + squares, dotted.
LINE_STYLES = [("", "circle"), ("8 5", "square"), ("2 4", "diamond")]
MAX_MARKERS = 31  # beyond a month of days the markers would merge into a thick line


@dataclass
class Series:
    label: str
    points: list  # [(date, number)], in date order; days without data are simply absent


@dataclass
class PlottedSeries:
    label: str
    dash: str
    marker: str
    polyline: str
    markers: list
    end_x: float
    end_y: float
    end_label: str
    first_value: int
    last_value: int
    label_y: float = 0.0

    @property
    def label_x(self):
        return self.end_x + 10


@dataclass
class LineChart:
    title: str
    x_label: str
    y_label: str
    series: list
    width: int = 720
    height: int = 320
    margin_left: int = 72
    margin_right: int = 150  # room for the labels at the lines' ends
    margin_top: int = 16
    margin_bottom: int = 56
    plotted: list = field(init=False, default_factory=list)

    def __post_init__(self):
        self.series = [series for series in self.series if series.points]
        self.dates = sorted({day for series in self.series for day, _ in series.points})
        values = [value for series in self.series for _, value in series.points]
        self.y_max, self.y_step = nice_scale(max(values, default=0))
        self.plotted = [self._plot(series, i) for i, series in enumerate(self.series)]
        self._separate_end_labels()

    @property
    def is_empty(self):
        return not self.dates

    # Geometry

    @property
    def plot_left(self):
        return self.margin_left

    @property
    def plot_right(self):
        return self.width - self.margin_right

    @property
    def plot_top(self):
        return self.margin_top

    @property
    def plot_bottom(self):
        return self.height - self.margin_bottom

    def x(self, day):
        first, last = self.dates[0], self.dates[-1]
        if first == last:
            return (self.plot_left + self.plot_right) / 2
        share = (day - first).days / (last - first).days
        return round(self.plot_left + share * (self.plot_right - self.plot_left), 1)

    def y(self, value):
        share = value / self.y_max
        return round(self.plot_bottom - share * (self.plot_bottom - self.plot_top), 1)

    # Axes

    @property
    def y_ticks(self):
        count = int(self.y_max / self.y_step)
        return [
            {"y": self.y(i * self.y_step), "label": intcomma(i * self.y_step)}
            for i in range(count + 1)
        ]

    @property
    def x_ticks(self):
        if not self.dates:
            return []
        first, last = self.dates[0], self.dates[-1]
        span = (last - first).days
        step = max(1, math.ceil(span / 5))
        days = [first + timedelta(days=n) for n in range(0, span + 1, step)]
        if days[-1] != last and (last - days[-1]).days * 2 >= step:
            days.append(last)  # the last day is always worth a label, unless it would crowd
        spans_years = first.year != last.year
        return [
            {"x": self.x(day), "label": date_format(day, "M Y" if spans_years else "j M")}
            for day in days
        ]

    # Where the axis texts go (worked out here so the template does no arithmetic)

    @property
    def y_tick_label_x(self):
        return self.plot_left - 8

    @property
    def x_tick_mark_y(self):
        return self.plot_bottom + 5

    @property
    def x_tick_label_y(self):
        return self.plot_bottom + 20

    @property
    def x_axis_label_x(self):
        return (self.plot_left + self.plot_right) / 2

    @property
    def x_axis_label_y(self):
        return self.height - 10

    @property
    def y_axis_label_x(self):
        return 16

    @property
    def y_axis_label_y(self):
        return (self.plot_top + self.plot_bottom) / 2

    @property
    def table_rows(self):
        """The figures per day, formatted, for the table that stands in for the chart."""
        values = {line.label: dict(series.points) for line, series in self._pairs()}
        return [
            {
                "date": day,
                "values": [
                    intcomma(values[line.label][day]) if day in values[line.label] else "—"
                    for line in self.plotted
                ],
            }
            for day in self.dates
        ]

    def _pairs(self):
        return zip(self.plotted, self.series, strict=True)

    # Lines

    def _plot(self, series, index):
        dash, marker = LINE_STYLES[index % len(LINE_STYLES)]
        coordinates = [(self.x(day), self.y(value)) for day, value in series.points]
        shown = coordinates if len(coordinates) <= MAX_MARKERS else coordinates[-1:]
        last_value = series.points[-1][1]
        return PlottedSeries(
            label=series.label,
            dash=dash,
            marker=marker,
            polyline=" ".join(f"{x},{y}" for x, y in coordinates),
            markers=[marker_shape(marker, x, y) for x, y in shown],
            end_x=coordinates[-1][0],
            end_y=coordinates[-1][1],
            end_label=f"{series.label}: {intcomma(last_value)}",
            first_value=series.points[0][1],
            last_value=last_value,
            label_y=coordinates[-1][1],
        )

    def _separate_end_labels(self, gap=16):
        """Push end labels apart vertically so two lines ending close together stay legible."""
        placed = sorted(self.plotted, key=lambda line: line.label_y)
        for above, below in zip(placed, placed[1:], strict=False):
            below.label_y = max(below.label_y, above.label_y + gap)

    @property
    def description(self):
        """What the lines show, in words, for the chart's <desc> (read by screen readers)."""
        if len(self.dates) == 1:
            day = date_format(self.dates[0])
            parts = [
                _("%(label)s: %(value)s on %(day)s")
                % {"label": line.label, "value": intcomma(line.last_value), "day": day}
                for line in self.plotted
            ]
            return "; ".join(parts) + "."
        parts = [
            _("%(label)s went from %(first)s on %(first_day)s to %(last)s on %(last_day)s")
            % {
                "label": line.label,
                "first": intcomma(line.first_value),
                "first_day": date_format(series.points[0][0]),
                "last": intcomma(line.last_value),
                "last_day": date_format(series.points[-1][0]),
            }
            for line, series in self._pairs()
        ]
        return "; ".join(parts) + "." if parts else ""


def marker_shape(kind, x, y, size=4.5):
    """A marker as the template draws it: a filled circle, or the outline of a polygon."""
    if kind == "circle":
        return {"kind": "circle", "x": x, "y": y}
    if kind == "square":
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    else:  # diamond
        corners = [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)]
    points = " ".join(f"{round(x + dx * size, 1)},{round(y + dy * size, 1)}" for dx, dy in corners)
    return {"kind": "polygon", "points": points}


def nice_scale(maximum, ticks=4):
    """A round top for the y axis and the whole-number step between its gridlines: 0-1,234
    gives 0-1,500 by 500, numbers people read at a glance."""
    if maximum <= 0:
        return ticks, 1
    raw_step = maximum / ticks
    if raw_step <= 1:
        step = 1
    else:
        magnitude = 10 ** math.floor(math.log10(raw_step))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    return math.ceil(maximum / step) * step, step


def issuance_chart(days, title, issued_label, accepted_label, x_label, y_label):
    """The report's chart from [(date, issued, accepted or None)] per day."""
    issued = Series(issued_label, [(day, issued) for day, issued, _ in days])
    accepted = Series(
        accepted_label, [(day, accepted) for day, _, accepted in days if accepted is not None]
    )
    return LineChart(title=title, x_label=x_label, y_label=y_label, series=[issued, accepted])
