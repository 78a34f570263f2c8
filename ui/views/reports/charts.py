"""A report's chart: bars from Qt Charts, filled from a ``Series`` (``data.py``)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from ui.views.reports.data import Series

#: Met / missed / open, inside / outside…: the first set green-blue, the second red-orange.
COLOURS = ("#2e7d6b", "#c0504d", "#e0a030", "#4f81bd")


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
