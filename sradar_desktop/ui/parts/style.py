"""The application's style: the platform's own, with what French text needs.

The accent of a capital (« É », « À ») rises above the line that fonts such as DejaVu Sans (the
usual sans-serif font of Linux desktops) declare, by a pixel at the sizes of a window's text.
Qt's styles draw the title of a tab that is not selected in a box two pixels shorter than a
line and cut what overflows it: « Évolution » read « Evolution » until it was selected. The
box of a tab's title is given back the height of a whole line.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget


class ReadableStyle(QProxyStyle):
    """``base`` (the platform's style), the titles of tabs drawn whole (see the module)."""

    def subElementRect(
        self, element: QStyle.SubElement, option: QStyleOption, widget: QWidget | None = None
    ) -> QRect:
        # Qt asks without a widget too; PySide's stubs say a widget is always given.
        rect = super().subElementRect(element, option, widget)  # type: ignore[arg-type]
        if element == QStyle.SubElement.SE_TabBarTabText:
            # One pixel above the line for the accents of capitals.
            missing = option.fontMetrics.height() + 1 - rect.height()
            if missing > 0:
                rect.adjust(0, -(missing + 1) // 2, 0, missing // 2)  # around the same middle
        return rect
