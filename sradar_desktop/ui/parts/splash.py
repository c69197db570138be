"""A small window with the application's name and what it is doing, painted at once: at start,
while the database layer and the window's modules load (« Chargement du plan… »), and at the
end, while the last saves finish (« Enregistrement en cours… »); and what waits for the
window to be painted first (``AfterFirstPaint``).

Light on purpose: it imports Qt and nothing of the application's heavy parts, so that it can be
on screen before them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.paths import resources_dir

WIDTH, HEIGHT = 420, 150
BACKGROUND = QColor("#f5f7fa")
INK = QColor("#1a237e")
GREY = QColor("#455a64")


def _picture() -> QPixmap:
    """The splash's picture: icon, name, version, at the screen's pixel density."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    pixmap = QPixmap(round(WIDTH * ratio), round(HEIGHT * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(BACKGROUND)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#90a4ae"))
    painter.drawRect(QRectF(0.5, 0.5, WIDTH - 1, HEIGHT - 1))
    left = 24
    icon_path = resources_dir() / "icons" / "sradar-desktop.png"
    icon = QPixmap(str(icon_path)) if icon_path.is_file() else QPixmap()
    if not icon.isNull():
        painter.drawPixmap(QRectF(24, 28, 64, 64), icon, QRectF(icon.rect()))
        left = 104
    title = QFont(QApplication.font())
    title.setPointSizeF(title.pointSizeF() * 1.7)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(INK)
    painter.drawText(QRectF(left, 30, WIDTH - left - 16, 36), APP_NAME)
    painter.setFont(QApplication.font())
    painter.setPen(GREY)
    painter.drawText(QRectF(left, 68, WIDTH - left - 16, 24), f"Version {__version__}")
    painter.end()
    return pixmap


class Splash(QWidget):
    """The application's name and ``message``; ``show_now`` paints it before returning.

    A plain frameless window rather than ``QSplashScreen``, whose ``show`` waits up to a second
    for the window system to expose it: the point here is to be quick."""

    def __init__(self, message: str) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        # Neither its closing nor its staying open decides when the program ends.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setObjectName("accueil")
        self.setAccessibleName(APP_NAME)
        self.picture = _picture()
        self.setFixedSize(WIDTH, HEIGHT)
        self._message = ""
        self.say(message)

    def message(self) -> str:
        return self._message

    def say(self, message: str) -> None:
        self._message = message
        self.setAccessibleDescription(message)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.picture)
        painter.setPen(GREY)
        painter.drawText(
            QRectF(16, HEIGHT - 40, WIDTH - 32, 28),
            Qt.AlignmentFlag.AlignCenter,
            self._message,
        )
        painter.end()

    def show_now(self) -> None:
        """Show, centred on the screen, and paint at once, before the caller goes on with long
        work that does not return to the event loop."""
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.center() - self.rect().center())
        self.show()
        self.repaint()
        QApplication.processEvents()


class ClosingFeedback(QObject):
    """Says « Enregistrement en cours… » as soon as ``window`` is asked to close, before its
    own ``closeEvent`` waits for the last saves, and until the program ends (the database is
    closed after the window). Gone as soon as the event loop runs again with the window still
    open: the user was asked a question while closing (changes that could not be saved), or
    chose to stay."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.closing = window
        self.splash: Splash | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.closing and event.type() == QEvent.Type.Close:
            self.show_saving()
            QTimer.singleShot(0, self._stayed_open)
        return False

    def show_saving(self) -> None:
        if self.splash is None:
            self.splash = Splash(QApplication.translate("splash", "Enregistrement en cours…"))
        self.splash.show_now()

    def _stayed_open(self) -> None:
        if self.closing.isVisible() and self.splash is not None:
            self.splash.close()


class AfterFirstPaint(QObject):
    """Calls ``callback`` once, as soon as the event loop runs after ``window`` was first
    painted: what the window does not need to be seen waits until it is. At once for a
    window not shown; after ``at_most_ms`` whatever happens (a window shown minimised)."""

    def __init__(self, window: QWidget, callback: Callable[[], None], at_most_ms: int = 2000):
        super().__init__(window)
        self.window = window
        self.callback: Callable[[], None] | None = callback
        if not window.isVisible():
            QTimer.singleShot(0, self._call)
            return
        window.installEventFilter(self)
        QTimer.singleShot(at_most_ms, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self._call)
        return False

    def _call(self) -> None:
        callback, self.callback = self.callback, None
        if callback is not None:
            self.window.removeEventFilter(self)
            callback()
