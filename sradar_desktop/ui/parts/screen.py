"""Windows and dialogs that fit the screen they open on, down to 1024 × 600 (and 1920 × 1080 at
150 %, which leaves Qt 1280 × 720): sizes come from the screen's available geometry, never from
fixed heights, and content taller than the screen scrolls while the buttons stay in view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QLayout, QPushButton, QScrollArea, QWidget

from sradar_desktop.ui.parts.layout import available_geometry

# The window manager's frame and title bar, which Qt's geometry of a top-level does not count
# until the window is shown: kept free so that the whole window, title bar included, fits.
FRAME_WIDTH = 16
FRAME_HEIGHT = 48


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Size ``widget`` to ``width`` × ``height``, or less on a smaller screen, with room for
    the frame and title bar. The last step of building a dialog: its default button is made
    one that stays (``keep_default_button``)."""
    # A dialog opens over its parent, on its parent's screen.
    parent = widget.parentWidget()
    area = available_geometry(parent.window() if parent is not None else widget)
    if area is not None:
        width = min(width, area.width() - FRAME_WIDTH)
        height = min(height, area.height() - FRAME_HEIGHT)
    widget.resize(width, height)
    if isinstance(widget, QDialog):
        keep_default_button(widget)


def keep_default_button(dialog: QDialog) -> None:
    """Entrée presses ``dialog``'s default button wherever the focus is, even after Tab has
    gone over the buttons. Qt remembers a default button only if it was in its dialog when
    made default; one made default before it was laid out stopped being so once the focus had
    left it, and Entrée then did nothing."""
    for button in dialog.findChildren(QPushButton):
        if button.isDefault() and button.window() is dialog:
            button.setDefault(False)
            button.setDefault(True)


def scrolling(layout: QLayout, name: str) -> QScrollArea:
    """``layout``'s widgets in a frameless vertical scroll area (``name`` for screen readers):
    on a small screen the form scrolls rather than pushing the dialog's buttons off screen."""
    content = QWidget()
    content.setLayout(layout)
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setAccessibleName(name)
    # The area itself never takes the keyboard: the dialog's first field does, so what the
    # agent types at once lands in it (the area still scrolls to the field that has focus).
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area
