"""The issuance chart: server-side SVG that reads without colour and without the picture."""

import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from badges_cms.admin.charts import LineChart, Series, issuance_chart, nice_scale


@pytest.mark.parametrize(
    "maximum, expected",
    [(0, (4, 1)), (3, (3, 1)), (30, (30, 10)), (1234, (1500, 500)), (99_000, (100_000, 50_000))],
)
def test_the_y_axis_ends_on_a_round_number(maximum, expected):
    assert nice_scale(maximum) == expected


def days(count, start=date(2026, 1, 5)):
    return [start + timedelta(days=n) for n in range(count)]


def chart(points=10):
    history = [(day, 100 + 10 * n, 40 + 5 * n) for n, day in enumerate(days(points))]
    return issuance_chart(
        history, "Badges issued over time", "Issued", "Accepted", "Date", "Badges"
    )


def render(line_chart):
    return render_to_string(
        "badges_cms/admin/chart.html", {"chart": line_chart, "chart_id": "test-chart"}
    )


def test_the_svg_is_labelled_and_needs_no_colour_or_style():
    html = render(chart())
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="test-chart-title test-chart-desc"' in svg
    assert '<title id="test-chart-title">Badges issued over time</title>' in svg
    assert "Issued went from 100 on Jan. 5, 2026 to 190 on Jan. 14, 2026" in svg
    assert "style=" not in html and "<script" not in html
    # Lines are told apart by pattern and marker shape, all drawn in the text colour.
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="8 5"' in svg
    assert svg.count("<circle") == 10 and svg.count("<polygon") == 10
    assert not re.search(r'(?:stroke|fill)="(?!currentColor|none)', svg)
    # Axes and their titles, and each line labelled where it ends.
    assert ">Date</text>" in svg and ">Badges</text>" in svg
    assert ">Issued: 190</text>" in svg and ">Accepted: 85</text>" in svg


def test_the_table_holds_the_same_figures():
    html = render(chart(points=3))
    table = html[html.index("<table") :]
    assert table.count('<th scope="row">') == 3
    assert "<td>120</td><td>50</td>" in table


def test_coordinates_stay_numbers_in_a_language_with_decimal_commas():
    with translation.override("de"):
        html = render(chart())
    polyline = html[html.index('<polyline points="') :].split('"')[1]
    assert "," in polyline and all(
        part.replace(".", "", 1).isdigit()
        for point in polyline.split()
        for part in point.split(",")
    )


def test_end_labels_that_would_collide_are_pushed_apart():
    close = LineChart(
        title="t",
        x_label="x",
        y_label="y",
        series=[Series("A", [(date(2026, 1, 1), 100)]), Series("B", [(date(2026, 1, 1), 99)])],
    )
    first, second = sorted(line.label_y for line in close.plotted)
    assert second - first >= 16


def test_many_days_drop_the_markers_but_keep_the_last_one():
    html = render(chart(points=200))
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle") == 1
    assert 3 <= svg.count('text-anchor="middle">') - 2 <= 7  # a handful of date ticks


def test_a_history_of_one_day_is_a_point_and_a_sentence():
    one = issuance_chart([(date(2026, 2, 1), 7, None)], "T", "Issued", "Accepted", "x", "y")
    assert [line.label for line in one.plotted] == ["Issued"]  # no accepted figures: no line
    assert one.description == "Issued: 7 on Feb. 1, 2026."
