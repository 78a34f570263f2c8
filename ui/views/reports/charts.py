"""A report's chart: bars from Qt Charts, filled from a ``Series`` (``data.py``)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAreaSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui.views.reports.data import Series

#: Met / missed / open, inside / outside…: the first set green-blue, the second red-orange.
COLOURS = ("#2e7d6b", "#c0504d", "#e0a030", "#4f81bd")
#: The guarantee's band over a category's bars: a dark line at its ends, a light fill between.
BAND_LINE = QColor("#5b2a86")
BAND_FILL = QColor(91, 42, 134, 50)
#: How much of a category's width the band spans (its bars' width, about).
_BAND_HALF = 0.4


class ReportChart(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setAccessibleName(title)

    def show_series(self, series: Series) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars: QBarSeries | QStackedBarSeries | QHorizontalBarSeries
        if series.horizontal:
            bars = QHorizontalBarSeries()
        else:
            bars = QStackedBarSeries() if series.stacked else QBarSeries()
        top = 0.0
        for position, (name, values) in enumerate(series.sets):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(COLOURS[position % len(COLOURS)]))
            bar_set.append(list(values))
            bars.append(bar_set)
        count = len(series.categories)
        for index in range(count):
            column = [values[index] for _name, values in series.sets]
            top = max(top, sum(column) if series.stacked else max(column, default=0.0))
        bands = [band for band in series.bands if band is not None]
        top = max([top, *(high for _low, high in bands)])
        chart.addSeries(bars)
        categories = QBarCategoryAxis()
        categories.append(list(series.categories))
        category_side, value_side = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft
        if series.horizontal:
            category_side, value_side = value_side, category_side
        chart.addAxis(categories, category_side)
        bars.attachAxis(categories)
        values_axis = QValueAxis()
        values_axis.setRange(0, top * 1.1 if top > 0 else 1)
        values_axis.setLabelFormat("%.0f")
        values_axis.setTitleText(series.unit)
        values_axis.applyNiceNumbers()
        chart.addAxis(values_axis, value_side)
        bars.attachAxis(values_axis)
        self._add_bands(series, categories, values_axis)

    def _add_bands(
        self, series: Series, categories: QBarCategoryAxis, values_axis: QValueAxis
    ) -> None:
        """Each category's band (its guarantee) over its bars, one legend entry for all."""
        chart = self.chart()
        named = False
        for position, band in enumerate(series.bands):
            if band is None:
                continue
            low, high = band
            left, right = position - _BAND_HALF, position + _BAND_HALF
            upper, lower = QLineSeries(), QLineSeries()
            upper.append([QPointF(left, high), QPointF(right, high)])
            lower.append([QPointF(left, low), QPointF(right, low)])
            area = QAreaSeries(upper, lower)
            # Children of the area: Qt Charts does not own an area's line series.
            upper.setParent(area)
            lower.setParent(area)
            area.setName(series.band_name)
            area.setPen(QPen(BAND_LINE, 2))
            area.setBrush(BAND_FILL)
            chart.addSeries(area)
            area.attachAxis(categories)
            area.attachAxis(values_axis)
            for marker in chart.legend().markers(area):
                marker.setVisible(not named)
            named = True
