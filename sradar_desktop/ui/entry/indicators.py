"""The indicators of the current action in the detail pane: a target and an achieved value for
each, typed the French way (« 1 234,5 ») or not, saved when the agent leaves the field or
presses Entrée. A value that is not a number stays in its field, marked, with the reason under
it, and is not saved until corrected (Ctrl+Z puts back the saved one)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.domain.numbers import format_indicator_value, parse_indicator_value
from sradar_desktop.domain.plan import Indicator, IndicatorKind
from sradar_desktop.services.answer_engine import AnswerEngine
from sradar_desktop.services.views.entry import EntryRow, indicator_unit
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import set_tone, tone
from sradar_desktop.ui.parts.widgets import ValueEdit

# (action code, indicator position, field): the text of a value typed but refused.
Typed = dict[tuple[str, int, str], str]


def display_value(stored: str | None, kind: IndicatorKind) -> str:
    """What a field shows: ``1 234,5`` (no « % »: the unit beside it says so)."""
    if stored is None:
        return ""
    if kind is IndicatorKind.PERCENTAGE:
        return format_indicator_value(stored, IndicatorKind.DECIMAL)
    return format_indicator_value(stored, kind)


def mark(widget: QWidget, state: str) -> None:
    """The state a style sheet draws on a field (« invalide », « non-enregistre », none)."""
    if widget.property("etat") != state:
        widget.setProperty("etat", state)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class _Fields:
    """The widgets of one indicator: two value fields with their message."""

    def __init__(self, position: int, indicator: Indicator) -> None:
        self.position = position
        self.indicator = indicator
        self.edits: dict[Field, ValueEdit] = {}
        self.messages: dict[Field, QLabel] = {}


class IndicatorsForm(QWidget):
    """The value fields of the current action's indicators (see the module's docstring).

    ``save(code, position, field, stored)`` is called with a valid value; ``typed_changed``
    when a refused value appears or goes; ``message`` for the status bar; ``escape_pressed``
    when the agent leaves with Échap."""

    typed_changed = Signal()
    message = Signal(str)
    escape_pressed = Signal()

    def __init__(self, save: Callable[[str, int, Field, str | None], None]) -> None:
        super().__init__()
        self.save = save
        self.entry: EntryRow | None = None
        self._fields: list[_Fields] = []
        self._typed: Typed = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(4)

    def forget_typed(self) -> None:
        self._typed.clear()

    def show_entry(self, entry: EntryRow | None, *, editable: bool, after: QWidget) -> None:
        """The fields of ``entry``'s indicators, in the Tab order after ``after``."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.entry = entry
        self._fields = []
        indicators = entry.action.indicators if entry is not None else ()
        self.setVisible(bool(indicators))
        previous = after
        row = 0
        for position, indicator in enumerate(indicators):
            fields = _Fields(position, indicator)
            muted = tone("muted", self.palette()).name()
            title = QLabel(
                f"{indicator.label} <span style='color:{muted}'>({indicator.kind.label})</span>"
            )
            title.setWordWrap(True)
            self.grid.addWidget(title, row, 0, 1, 4)
            title.show()
            row += 1
            for which, caption in (
                (Field.TARGET, self.tr("Valeur cible :")),
                (Field.ACHIEVED, self.tr("Valeur réalisée :")),
            ):
                previous = self._add_field(fields, which, caption, row, editable, previous)
                row += 2
            self._fields.append(fields)
        self.grid.setColumnStretch(3, 1)
        if entry is not None:
            for fields in self._fields:
                for which, edit in fields.edits.items():
                    typed = self._typed.get((entry.code, fields.position, which))
                    if typed is not None:
                        edit.setText(typed)
                        self._show_error(fields, which, typed)

    def _add_field(
        self,
        fields: _Fields,
        which: Field,
        caption: str,
        row: int,
        editable: bool,
        previous: QWidget,
    ) -> ValueEdit:
        indicator = fields.indicator
        unit = indicator_unit(indicator.kind, indicator.unit)
        label = QLabel(caption)
        edit = ValueEdit()
        edit.setObjectName(f"indicateur-{fields.position}-{which}")
        edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        edit.setMinimumWidth(110)
        edit.setMaximumWidth(160)
        edit.setReadOnly(not editable)
        # No placeholder: a grey « 0 » in an empty field reads as a value given.
        if indicator.kind is not IndicatorKind.TEXT:
            edit.setToolTip(
                self.tr(
                    "Un nombre, écrit à la française ou non : 1 234,5 ou 1234.5. "
                    "Enregistré quand vous quittez le champ ou appuyez sur Entrée."
                )
            )
        edit.setAccessibleName(f"{indicator.label} — {caption.rstrip(' :')}")
        edit.setAccessibleDescription(f"{indicator.kind.label} {unit}".strip())
        label.setBuddy(edit)
        unit_label = QLabel(unit)
        message = QLabel()
        set_tone(message, "error")
        message.setWordWrap(True)
        message.hide()
        self.grid.addWidget(label, row, 0)
        self.grid.addWidget(edit, row, 1)
        self.grid.addWidget(unit_label, row, 2)
        for widget in (label, edit, unit_label):
            widget.show()
        self.grid.addWidget(message, row + 1, 0, 1, 4)
        edit.textEdited.connect(lambda _text: self._typed_in(fields, which))
        edit.editingFinished.connect(lambda: self._commit(fields, which))
        edit.escape_pressed.connect(self.escape_pressed)
        fields.edits[which] = edit
        fields.messages[which] = message
        QWidget.setTabOrder(previous, edit)
        return edit

    def refresh(self) -> None:
        """The values of the entry as they stand (not over a value being typed or refused)."""
        entry = self.entry
        if entry is None:
            return
        for fields in self._fields:
            for which, edit in fields.edits.items():
                typed = self._typed.get((entry.code, fields.position, which))
                if typed is not None or (edit.hasFocus() and edit.isModified()):
                    continue
                text = display_value(self._stored(fields, which), fields.indicator.kind)
                if edit.text() != text:
                    edit.setText(text)
                edit.setModified(False)

    def _stored(self, fields: _Fields, which: Field) -> str | None:
        assert self.entry is not None
        values = self.entry.targets if which is Field.TARGET else self.entry.achieved
        return values[fields.position]

    def update_states(self, engine: AnswerEngine) -> None:
        """« ⚠ Non enregistré » under each value the database refused."""
        entry = self.entry
        if entry is None:
            return
        for fields in self._fields:
            for which, edit in fields.edits.items():
                if (entry.code, fields.position, which) in self._typed:
                    continue
                key = FieldKey(entry.code, which, fields.position)
                unsaved = engine.key_state(key) == "unsaved"
                mark(edit, "non-enregistre" if unsaved else "")
                fields.messages[which].setText(self.tr("⚠ Non enregistré") if unsaved else "")

    # -- typing ------------------------------------------------------------------------------

    def _parse(self, fields: _Fields, text: str) -> tuple[str | None, str]:
        """The stored form of ``text``, or an error in French."""
        try:
            return parse_indicator_value(text, fields.indicator.kind), ""
        except ValueError as error:
            return None, str(error)

    def _show_error(self, fields: _Fields, which: Field, text: str) -> bool:
        """Whether ``text`` is a value; its error shown under the field when not."""
        _stored, error = self._parse(fields, text)
        edit, message = fields.edits[which], fields.messages[which]
        if error:
            message.setText(error[0].upper() + error[1:] + ".")
            message.show()
            mark(edit, "invalide")
            return False
        message.setText("")
        message.hide()
        mark(edit, "")
        return True

    def _typed_in(self, fields: _Fields, which: Field) -> None:
        entry = self.entry
        if entry is None:
            return
        text = fields.edits[which].text()
        if self._show_error(fields, which, text):
            self._typed.pop((entry.code, fields.position, which), None)
        else:
            self._typed[(entry.code, fields.position, which)] = text
        self.typed_changed.emit()

    def _commit(self, fields: _Fields, which: Field) -> None:
        entry = self.entry
        edit = fields.edits[which]
        if entry is None or edit.isReadOnly():
            return
        text = edit.text()
        key = (entry.code, fields.position, which)
        if not self._show_error(fields, which, text):
            self._typed[key] = text
            self.message.emit(
                arg(
                    self.tr("La valeur « %1 » de « %2 » n'est pas enregistrée : %3."),
                    text,
                    fields.indicator.label,
                    fields.messages[which].text().rstrip("."),
                )
            )
            self.typed_changed.emit()
            return
        self._typed.pop(key, None)
        self.typed_changed.emit()
        stored, _error = self._parse(fields, text)
        edit.setModified(False)
        self.save(entry.code, fields.position, which, stored)
        # Shown the French way (« 1234.5 » typed becomes « 1 234,5 »).
        shown = display_value(stored, fields.indicator.kind)
        if edit.text() != shown:
            edit.setText(shown)

    def commit(self) -> None:
        """Save every value being typed (before moving to another action, undoing, closing)."""
        for fields in self._fields:
            for which, edit in fields.edits.items():
                if edit.isModified():
                    self._commit(fields, which)

    def revert_focused_value(self) -> bool:
        """A refused value in the focused field is put back to the saved one (Ctrl+Z)."""
        entry = self.entry
        if entry is None:
            return False
        for fields in self._fields:
            for which, edit in fields.edits.items():
                key = (entry.code, fields.position, which)
                if edit.hasFocus() and key in self._typed:
                    del self._typed[key]
                    edit.setText(display_value(self._stored(fields, which), fields.indicator.kind))
                    edit.setModified(False)
                    self._show_error(fields, which, edit.text())
                    self.typed_changed.emit()
                    return True
        return False

    # -- what was refused --------------------------------------------------------------------

    def typed_values(self) -> Typed:
        """The values typed but refused (not numbers), kept on screen."""
        return dict(self._typed)

    def keep_typed_values(self, values: Typed) -> bool:
        """Keep again values typed but refused (after the answers were read again); whether
        there were any (the fields are then to be shown again)."""
        self._typed.update(values)
        return bool(values)

    def has_invalid_values(self) -> list[str]:
        """Descriptions of values typed but refused (not numbers), kept on screen."""
        return [f"{code} — {value!r}" for (code, _position, _which), value in self._typed.items()]

    def fields(self) -> list[ValueEdit]:
        """The value fields, in reading order (target then achieved, indicator by indicator)."""
        return [fields.edits[which] for fields in self._fields for which in fields.edits]

    def focus_first(self) -> bool:
        for fields in self._fields:
            edit = fields.edits[Field.TARGET]
            edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            edit.selectAll()
            return True
        return False

    def edit(self, position: int, which: str) -> ValueEdit:
        return self._fields[position].edits[Field(which)]

    def error_label(self, position: int, which: str) -> QLabel:
        """The message under a field (why its value is refused, or not saved)."""
        return self._fields[position].messages[Field(which)]
