"""One figure at the top of the Packs view: a caption over a large value, with an optional
detail line and tooltip."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class Figure(QFrame):
    """One number of the customer's summary, with its caption above."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #5f6d78;")
        self.value = QLabel()
        big = QFont(self.value.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.value.setFont(big)
        self.detail = QLabel()
        self.detail.setStyleSheet("color: #5f6d78;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def show_value(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.setAccessibleName(f"{self.caption.text()}: {value} {detail}".strip())
