"""The date field of the windows: a day typed as « 31/12/2026 » or picked from a calendar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget


class DateEdit(QDateEdit):
    """A date in the French form (JJ/MM/AAAA) with its calendar. Its name is said by a screen
    reader on the field and on the text part inside it, which is what takes the focus."""

    def __init__(
        self, name: str, object_name: str, day: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd/MM/yyyy")
        if day is not None:
            self.set_day(day)
        self.setAccessibleName(name)
        editor = self.lineEdit()
        if editor is not None:
            editor.setAccessibleName(name)

    def day(self) -> date:
        shown = self.date()
        return date(shown.year(), shown.month(), shown.day())

    def set_day(self, day: date) -> None:
        self.setDate(QDate(day.year, day.month, day.day))
