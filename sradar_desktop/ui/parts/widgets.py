"""Small widgets of both windows: the message banner, the text fields that leave the window's
shortcuts alone, the guard that keeps the answer keys out of lists and menus, the question that
does not stop the window, drop-down lists that cut a long choice with « … », and Tab going round
a window in reading order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import ClassVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from sradar_desktop import APP_NAME


def ask(
    parent: QWidget,
    text: str,
    informative: str,
    yes: str,
    no: str,
    on_yes: Callable[[], None],
    *,
    destructive: bool = False,
) -> QMessageBox:
    """A question that does not block the event loop (``open``, not ``exec``): ``on_yes`` runs
    when ``yes`` is chosen. A ``destructive`` yes (files replaced) is not what Enter does."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(APP_NAME)
    box.setText(text)
    box.setInformativeText(informative)
    role = QMessageBox.ButtonRole
    accept = box.addButton(yes, role.DestructiveRole if destructive else role.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    if destructive:
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)
    else:
        box.setDefaultButton(accept)
    box.buttonClicked.connect(lambda button: on_yes() if button is accept else None)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


# Keys the window handles even while the agent types: undo and redo the window's way (a whole
# editing burst), move to the next or previous action, go to the next unanswered one.
def is_window_key(event: QKeyEvent) -> bool:
    if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
        return True
    key = event.key()
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if modifiers == Qt.KeyboardModifier.ControlModifier:
        return key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Y, Qt.Key.Key_Z)
    if modifiers == Qt.KeyboardModifier.AltModifier:
        return key in (Qt.Key.Key_Up, Qt.Key.Key_Down)
    return False


# Keys a one-line field keeps for itself even when the window has an action on them: the
# clipboard, the selection and the field's own undo.
_FIELD_KEYS = (
    QKeySequence.StandardKey.Copy,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Paste,
    QKeySequence.StandardKey.SelectAll,
    QKeySequence.StandardKey.Undo,
    QKeySequence.StandardKey.Redo,
)


def is_window_shortcut(widget: QWidget, event: QKeyEvent) -> bool:
    """Whether ``event`` (Ctrl and a key) is the shortcut of an action of ``widget``'s window
    that the field must let through. Under X11 a line edit takes Ctrl+E (end of line), Ctrl+U
    (delete the line) and others for itself: the window's Ctrl+E (export) and Ctrl+U
    (« Non renseignées seulement ») would do nothing from the search field."""
    if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return False
    if any(event.matches(key) for key in _FIELD_KEYS):
        return False
    pressed = QKeySequence(event.keyCombination())
    return any(
        action.isEnabled() and pressed in action.shortcuts() for action in widget.window().actions()
    )


def window_action(
    window: QWidget,
    text: str,
    slot: Callable[[], object],
    shortcuts: Sequence[QKeySequence] = (),
    tip: str = "",
) -> QAction:
    """An action of ``window`` (its shortcuts work anywhere in it), calling ``slot``.

    A key given twice (a standard key that is also named literally, ``Quit`` and ``Ctrl+Q``)
    is kept once: Qt takes the same key bound twice to one action as ambiguous and fires
    neither."""
    action = QAction(text, window)
    unique = {
        sequence.toString(QKeySequence.SequenceFormat.PortableText): sequence
        for sequence in shortcuts
        if not sequence.isEmpty()
    }
    if unique:
        action.setShortcuts(list(unique.values()))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    if any(_with_alt(sequence) for sequence in unique.values()):
        action.triggered.connect(lambda _checked=False: _forget_alt(window))
    window.addAction(action)
    return action


def _with_alt(sequence: QKeySequence) -> bool:
    """Whether the first key of ``sequence`` is pressed with Alt."""
    first = sequence[0]  # type: ignore[index]  # PySide's stubs lack QKeySequence.__getitem__
    return bool(first.keyboardModifiers() & Qt.KeyboardModifier.AltModifier)


def _forget_alt(window: QWidget) -> None:
    """An Alt+key shortcut was used (Alt+↓, the next action): Alt let go afterwards must not
    put the menu bar in keyboard mode, where the next key opens « Fichier ». The menu bar
    watches for Alt pressed then released alone, and a key taken by a shortcut does not
    always reach it: it is told that another key came."""
    if isinstance(window, QMainWindow) and window.menuWidget() is not None:
        QApplication.sendEvent(
            window.menuBar(),
            QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_unknown, Qt.KeyboardModifier.AltModifier),
        )


class FileDragsToWindow:
    """For text fields: files dragged onto them are their window's to import (its
    ``handle_file_drag``: the entry window's), never a path pasted into the field; refused in a
    window that imports nothing. Text dragged from one field to another is left to the field."""

    def _file_drag(self, event: QDropEvent) -> bool:
        mime = event.mimeData()
        if mime is None or not any(url.isLocalFile() for url in mime.urls()):
            return False
        handler = getattr(self.window(), "handle_file_drag", None)  # type: ignore[attr-defined]
        if handler is None or not handler(event):
            event.ignore()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._file_drag(event):
            super().dragEnterEvent(event)  # type: ignore[misc]

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._file_drag(event):
            super().dragMoveEvent(event)  # type: ignore[misc]

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._file_drag(event):
            super().dropEvent(event)  # type: ignore[misc]


class WindowKeysWhileTyping:
    """For the fields the agent types in: the window's keys (``is_window_key``) stay the
    window's, and Escape (``escape_pressed``, declared by the field) goes back to the list."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_window_key(event):  # type: ignore[arg-type]
            event.ignore()
            return True
        return super().event(event)  # type: ignore[misc]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.escape_pressed.emit()  # type: ignore[attr-defined]
            return
        super().keyPressEvent(event)  # type: ignore[misc]


class CommentEdit(FileDragsToWindow, WindowKeysWhileTyping, QPlainTextEdit):
    """The comment field: Tab leaves it, Escape goes back to the list, and undo is the
    window's (one step per editing burst)."""

    focus_entered = Signal()
    focus_left = Signal()
    escape_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)

    def sizeHint(self) -> QSize:
        # About six lines: the indicators below stay in sight; the field grows with the pane.
        return QSize(300, self.fontMetrics().lineSpacing() * 6 + 12)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focus_entered.emit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_left.emit()


class WindowShortcutsWin:
    """For one-line fields: the window's Ctrl shortcuts are the window's (see
    ``is_window_shortcut``)."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_window_shortcut(self, event):  # type: ignore[arg-type]
            event.ignore()
            return True
        return super().event(event)  # type: ignore[misc]


class ValueEdit(FileDragsToWindow, WindowShortcutsWin, WindowKeysWhileTyping, QLineEdit):
    """An indicator value: the window's undo, Escape goes back to the list."""

    escape_pressed = Signal()


class SearchEdit(FileDragsToWindow, WindowShortcutsWin, QLineEdit):
    """The search box: Escape empties it, then goes back to the list."""

    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            if self.text():
                self.clear()
            else:
                self.escape_pressed.emit()
            return
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class PlainKeysGuard(QObject):
    """Installed on lists and drop-down boxes: a letter or digit typed there is for them
    (type-ahead), not an answer to the current action; on a drop-down list, Alt+↓ and Alt+↑
    open it (as everywhere), not the next or previous action."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            modifiers = key_event.modifiers() & ~(
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
            )
            text = key_event.text()
            if (
                isinstance(watched, QComboBox)
                and modifiers == Qt.KeyboardModifier.AltModifier
                and key_event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
            ):
                event.accept()
                return True
            if modifiers:
                return False
            typed = bool(text) and text.isprintable() and not text.isspace()
            if typed or key_event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                event.accept()
                return True
        return False


class Banner(QFrame):
    """A message across the window that stays until its cause is gone (not a modal box:
    the agent keeps working). Kinds: ``"error"`` (red) or ``"info"`` (blue)."""

    STYLES: ClassVar[dict[str, tuple[str, str, str]]] = {
        "error": ("#fdecea", "#b71c1c", "⚠"),
        "info": ("#e8f1fb", "#0d47a1", "ℹ"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.button = QPushButton()
        self.button.hide()
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str, button: str = "") -> None:
        background, foreground, icon = self.STYLES[kind]
        self.kind = kind
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {foreground};"
            f" border-radius: 4px; }} QFrame#banner QLabel {{ color: {foreground}; }}"
        )
        self.icon.setText(icon)
        self.text.setText(text)
        # Read out as one message, its kind in words (the colour alone says nothing).
        kind_word = self.tr("Erreur") if kind == "error" else self.tr("Information")
        self.setAccessibleName(kind_word)
        self.setAccessibleDescription(text)
        self.button.setText(button)
        self.button.setVisible(bool(button))
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.hide()


class ElidedComboBox(QComboBox):
    """A drop-down list whose choice, when longer than the box, is cut with « … » (its list
    shows every choice whole), the whole choice in its tooltip."""

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        room = field.width() - (
            option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0
        )
        whole = option.currentText
        option.currentText = option.fontMetrics.elidedText(whole, Qt.TextElideMode.ElideRight, room)
        tip = whole if option.currentText != whole else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class _EscapeLeaves(QObject):
    def __init__(self, widget: QWidget, slot: Callable[[], object]) -> None:
        super().__init__(widget)
        self.slot = slot
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape  # type: ignore[attr-defined]
            and not event.modifiers()  # type: ignore[attr-defined]
        ):
            self.slot()
            return True
        return False


def escape_leaves(widget: QWidget, slot: Callable[[], object]) -> None:
    """Escape in ``widget`` (a list, a table) calls ``slot`` (back to the list of actions)."""
    _EscapeLeaves(widget, slot)


# ==== Tab in reading order =======================================================================


def _takes_tab(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )


def _checked_button(widget: QWidget) -> bool:
    """A checked button of a group that can have the focus. Qt leaves Tab to the button of an
    exclusive group that had the focus last, not to the checked one: its policy is not asked."""
    return (
        isinstance(widget, QAbstractButton)
        and widget.isChecked()
        and widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
    )


def _entry(stop: Sequence[QWidget]) -> QWidget | None:
    """Where the focus lands in a stop: its checked button (a group of answers), else its
    first control that takes the focus."""
    checked = [widget for widget in stop if _checked_button(widget)]
    ready = [widget for widget in stop if _takes_tab(widget)]
    candidates = checked or ready
    return candidates[0] if candidates else None


def tab_order(widgets: Sequence[QWidget]) -> None:
    """Qt's own Tab order through ``widgets``, in that order (what ``focus_step`` does not
    cover: the order inside a pane, the windows that have no stops)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def focus_step(stops: Sequence[Sequence[QWidget]], *, forward: bool) -> bool:
    """Move the focus to the next (or previous) of ``stops`` from the one that has it, round
    and round; a stop is one control or a group that Tab enters once (the answers). False
    when the focus is in none of them (the window's own order then applies)."""
    focus = QApplication.focusWidget()
    if focus is None:
        return False
    here = next(
        (
            index
            for index, stop in enumerate(stops)
            if any(widget is focus or widget.isAncestorOf(focus) for widget in stop)
        ),
        None,
    )
    if here is None:
        return False
    step = 1 if forward else -1
    for distance in range(1, len(stops) + 1):
        target = _entry(stops[(here + step * distance) % len(stops)])
        if target is not None:
            target.setFocus(
                Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
            )
            return True
    return False
