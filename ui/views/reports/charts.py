"""A report's chart: bars from Qt Charts, filled from a ``Series`` (``data.py``)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
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
        if count > 6:  # many plan/channel pairs: slanted, so each is read whole
            categories.setLabelsAngle(-30)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(categories)
        values_axis = QValueAxis()
        values_axis.setRange(0, top * 1.1 if top > 0 else 1)
        values_axis.setLabelFormat("%.0f")
        values_axis.setTitleText(series.unit)
        values_axis.applyNiceNumbers()
        chart.addAxis(values_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(values_axis)
