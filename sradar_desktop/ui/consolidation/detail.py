"""The selected action of the consolidation in full: its text, every respondent's answer and
comment (who, when), the synthesis and why, and the secretariat's arbitration (a status and its
reason, applied or withdrawn)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.consolidation import ActionResult
from sradar_desktop.domain.dates import short_datetime
from sradar_desktop.services.views.consolidation import ConsolidationSheet, explain_synthesis
from sradar_desktop.ui.parts.delegates import color_icon, text_color_on
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import ElidedLabel, ErrorLabel, tone
from sradar_desktop.ui.parts.speech import TextPane


def chip_html(label: str, color: str) -> str:
    """A status as rich text: its word on its colour (never the colour alone)."""
    foreground = text_color_on(QColor(color)).name()
    return (
        f"<span style='background-color:{color}; color:{foreground}; font-weight:bold'>"
        f"&nbsp;{escape(label)}&nbsp;</span>"
    )


def _text_html(text: str) -> str:
    return escape(text.strip()).replace("\n", "<br>")


class ReasonEdit(QPlainTextEdit):
    """The reason of an arbitration: Tab leaves it (Ctrl+Entrée applies: the form's key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        # Two lines at the least: on a small screen the grid above keeps its rows.
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 12)

    def sizeHint(self) -> QSize:
        return QSize(300, self.fontMetrics().lineSpacing() * 3 + 12)


class ConsolidationDetail(QWidget):
    """The detail below the grid. It asks the window to write (``arbitrate``, ``withdraw``)
    and is told the outcome (``arbitration_done``, ``show_error``)."""

    arbitrate = Signal(str, str, str)  # action code, status, reason
    withdraw = Signal(str)  # action code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ActionResult | None = None
        self.sheet: ConsolidationSheet | None = None
        self._dirty = False
        self._busy = False
        self._read_only = False
        # What was typed for an action the filters then hid: (status, reason) by code, put
        # back when it is shown again.
        self._kept: dict[str, tuple[object, str]] = {}

        self.code_label = QLabel()
        font = QFont(self.code_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.code_label.setFont(font)
        self.path_label = ElidedLabel(muted=True)
        self.browser = TextPane(self.tr("L'action et les réponses des répondants"))
        self.browser.setObjectName("detail-reponses")
        self.browser.setOpenLinks(False)
        title_row = QHBoxLayout()
        title_row.addWidget(self.code_label)
        title_row.addSpacing(8)
        title_row.addWidget(self.path_label, 1)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(title_row)
        left.addWidget(self.browser, 1)

        # -- arbitration
        self.box = QGroupBox(self.tr("Arbitrage du secrétariat"))
        self.current_label = QLabel()
        self.current_label.setWordWrap(True)
        self.current_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("arbitrage-statut")
        self.status_combo.setAccessibleName(self.tr("Statut retenu"))
        self.reason_edit = ReasonEdit()
        self.reason_edit.setObjectName("arbitrage-raison")
        self.reason_edit.setAccessibleName(self.tr("Raison de l'arbitrage"))
        self.reason_edit.setAccessibleDescription(
            self.tr("Ctrl+Entrée applique l'arbitrage ; Maj+Tab revient au statut retenu.")
        )
        self.reason_edit.setPlaceholderText(
            self.tr("Pourquoi ce statut ? (obligatoire ; figure dans le classeur et la synthèse)")
        )
        self.reason_edit.textChanged.connect(self._typed)
        self.status_combo.activated.connect(lambda _i: self._typed())
        self.error_label = ErrorLabel()
        self.error_label.setObjectName("arbitrage-erreur")
        self.apply_button = QPushButton(self.tr("App&liquer l'arbitrage"))
        self.apply_button.setToolTip(self.tr("Retenir ce statut pour l'action (Ctrl+Entrée)"))
        self.apply_button.setAccessibleName(self.tr("Appliquer l'arbitrage"))
        self.apply_button.clicked.connect(self._apply)
        self.withdraw_button = QPushButton(self.tr("Retirer l'ar&bitrage"))
        self.withdraw_button.setToolTip(
            self.tr("Revenir à la synthèse des réponses pour cette action")
        )
        self.withdraw_button.setAccessibleName(self.tr("Retirer l'arbitrage"))
        self.withdraw_button.clicked.connect(self._withdraw)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        status_label = QLabel(self.tr("Statut r&etenu :"))
        status_label.setBuddy(self.status_combo)
        reason_label = QLabel(self.tr("Raiso&n :"))
        reason_label.setBuddy(self.reason_edit)
        form.addRow(status_label, self.status_combo)
        form.addRow(reason_label, self.reason_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.apply_button)
        box_layout = QVBoxLayout(self.box)
        box_layout.addWidget(self.current_label)
        box_layout.addLayout(form, 1)
        box_layout.addWidget(self.error_label)
        box_layout.addLayout(buttons)
        self.box.setMinimumWidth(380)
        self.box.setMaximumWidth(520)
        # Ctrl+Entrée applies from anywhere in the form: the status as well as the reason.
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            apply = QShortcut(QKeySequence(key), self.box)
            apply.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            apply.activated.connect(self._apply)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(left, 3)
        layout.addWidget(self.box, 2)
        self.show_result(None, None)

    # -- showing -----------------------------------------------------------------------------

    def show_result(self, result: ActionResult | None, sheet: ConsolidationSheet | None) -> None:
        """Show ``result``. The arbitration form starts again for another action, or when the
        user has not typed anything; what is being typed for this action stays."""
        same = (
            result is not None
            and self.result is not None
            and result.action.code == self.result.action.code
        )
        if self.result is not None and self._dirty and not same:
            self._kept[self.result.action.code] = (
                self.status_combo.currentData(),
                self.reason_edit.toPlainText(),
            )
        self.result, self.sheet = result, sheet
        if result is None or sheet is None:
            self.code_label.setText("")
            self.path_label.setText("")
            self.browser.setHtml(
                f"<p style='color:{self._muted()}'>"
                + escape(self.tr("Choisissez une action dans la liste pour voir ses réponses."))
                + "</p>"
            )
            self.current_label.setText("")
            self._dirty = False
            self._update_buttons()
            return
        self.code_label.setText(result.action.code)
        path = (
            f"{result.objective.code}. {result.objective.title} › "
            f"{result.theme_code} {result.theme_title}"
        )
        self.path_label.setText(path)
        self.browser.setHtml(self._html(result, sheet))
        self._show_current(result, sheet)
        if not same or not self._dirty:
            self._reset_form(result, sheet)
            self._put_back(result.action.code)
        self._update_buttons()

    def typed(self) -> dict[str, tuple[str, str]]:
        """Every arbitration typed and not applied, the action shown included: (status,
        reason) by action code; one whose reason was emptied is given up."""
        typed = {code: (str(status or ""), reason) for code, (status, reason) in self._kept.items()}
        if self.result is not None and self._dirty and not self._read_only:
            typed[self.result.action.code] = (
                str(self.status_combo.currentData() or ""),
                self.reason_edit.toPlainText(),
            )
        return {code: value for code, value in typed.items() if value[1].strip()}

    def bring_back(self, typed: dict[str, tuple[str, str]]) -> None:
        """Arbitrations typed in an earlier window and not applied, back in the form of
        their action (now for the action shown)."""
        self._kept.update(typed)
        if self.result is not None and self.result.action.code in typed:
            self._put_back(self.result.action.code)

    def _put_back(self, code: str) -> None:
        """What was typed for ``code`` before the filters hid it, back in the form."""
        kept = self._kept.pop(code, None)
        if kept is None:
            return
        status, reason = kept
        with QSignalBlocker(self.status_combo), QSignalBlocker(self.reason_edit):
            self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))
            self.reason_edit.setPlainText(reason)
        self._dirty = True

    def _muted(self) -> str:
        """The colour of secondary text in the rich text, from the palette."""
        return tone("muted", self.palette()).name()

    def _html(self, result: ActionResult, sheet: ConsolidationSheet) -> str:
        scale = sheet.scale
        muted = self._muted()

        def chip(status: str | None) -> str:
            if status is None:
                return ""
            try:
                level = scale.level(status)
            except KeyError:
                return escape(status)
            return chip_html(level.label, level.color)

        parts = [f"<p>{_text_html(result.action.text)}</p>"]
        if result.action.pilots:
            parts.append(
                f"<p style='color:{muted}'>"
                + escape(arg(self.tr("Pilotes : %1"), ", ".join(result.action.pilots)))
                + "</p>"
            )
        parts.append(
            f"<p><b>{escape(self.tr('Synthèse :'))}</b> {chip(result.synthesis)} "
            f"{escape(explain_synthesis(result, scale))}</p>"
        )
        row = sheet.row_of.get(result.action.code, -1)
        answers = {a.respondent: a for a in result.answers}
        concerned = [
            r
            for r in sheet.respondents
            if r.code in answers or (r.expected and row >= 0 and sheet.expected(row, r.code))
        ]
        given = sum(1 for a in result.confirmed if a.status is not None)
        awaiting = sum(1 for a in result.awaiting if a.status is not None)
        heading = arg(self.tr("Réponses (%1 sur %2 répondants concernés"), given, len(concerned))
        if awaiting:
            heading += arg(self.tr(" ; %1 à confirmer"), awaiting)
        parts.append("<p><b>" + escape(heading + ")") + "</b></p>")
        if not concerned:
            parts.append(
                f"<p style='color:{muted}'><i>"
                + escape(self.tr("Aucun répondant n'est concerné par cette action."))
                + "</i></p>"
            )
        # One paragraph per respondent (a text table lays out three times slower: a hundred
        # respondents would hold the window).
        missing = f"<i style='color:{muted}'>" + escape(self.tr("sans réponse")) + "</i>"
        for respondent in concerned:
            answer = answers.get(respondent.code)
            line = f"<b>{escape(respondent.code)}</b>"
            if respondent.label and respondent.label != respondent.code:
                line += f" <span style='color:{muted}'>{escape(respondent.label)}</span>"
            if answer is None or (answer.status is None and not answer.comment.strip()):
                parts.append(f"<p style='margin-top:6px'>{line} &nbsp;{missing}</p>")
                continue
            line += " &nbsp;" + (chip(answer.status) or missing)
            if answer.to_confirm:
                line += (
                    f" <b><i style='color:{tone('warning', self.palette()).name()}'>"
                    + escape("⟳ " + self.tr("À confirmer"))
                    + "</i></b> "
                    + f"<span style='color:{muted}'>"
                    + escape(self.tr("(reprise de l'évaluation précédente, hors comptes)"))
                    + "</span>"
                )
            if answer.comment.strip():
                line += "<br>" + _text_html(answer.comment)
            stamp = ", ".join(p for p in (answer.by, short_datetime(answer.at)) if p)
            if stamp:
                line += f"<br><span style='color:{muted}'>— {escape(stamp)}</span>"
            parts.append(f"<p style='margin-top:6px'>{line}</p>")
        return "".join(parts)

    def _show_current(self, result: ActionResult, sheet: ConsolidationSheet) -> None:
        arbitration = result.arbitration
        if arbitration is None and result.to_confirm:
            self.current_label.setText(
                escape(
                    self.tr(
                        "Pas encore de statut retenu : une réponse reprise de l'évaluation "
                        "précédente attend la confirmation de son service. Vous pouvez arbitrer "
                        "sans l'attendre."
                    )
                )
            )
            return
        if arbitration is None:
            level = sheet.scale.level(result.final) if result.final in sheet.scale.codes else None
            final = chip_html(level.label, level.color) if level else escape(result.final)
            self.current_label.setText(
                escape(self.tr("Pas d'arbitrage : le statut retenu est la synthèse,"))
                + f" {final}."
            )
            return
        level = sheet.scale.level(arbitration.status)
        # The reason and the name go in last: « arg » would read a « %1 » typed in them.
        when = escape(arg(self.tr("le %1"), short_datetime(arbitration.at)))
        by = escape(arg(self.tr("par %1"), arbitration.by or self.tr("(inconnu)")))
        self.current_label.setText(
            f"{escape(self.tr('Arbitré'))} {chip_html(level.label, level.color)} {by} {when}"
            f" : « {_text_html(arbitration.reason)} »"
        )

    def _reset_form(self, result: ActionResult, sheet: ConsolidationSheet) -> None:
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        for level in sheet.scale.levels:
            self.status_combo.addItem(color_icon(level.color), level.label, level.code)
        # Awaiting a confirmation: the carried answer is the likeliest status.
        proposed = next(
            (a.status for a in result.awaiting if a.status is not None and result.to_confirm),
            result.final,
        )
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(proposed), 0))
        self.status_combo.blockSignals(False)
        self.reason_edit.blockSignals(True)
        self.reason_edit.setPlainText(result.arbitration.reason if result.arbitration else "")
        self.reason_edit.blockSignals(False)
        self.error_label.hide()
        self._dirty = False

    # -- acting ------------------------------------------------------------------------------

    def _typed(self) -> None:
        self._dirty = True
        self.error_label.hide()

    def _apply(self) -> None:
        result = self.result
        if result is None or self._busy or self._read_only:
            return
        self.error_label.hide()
        self.arbitrate.emit(
            result.action.code,
            str(self.status_combo.currentData() or ""),
            self.reason_edit.toPlainText(),
        )

    def _withdraw(self) -> None:
        result = self.result
        if result is None or result.arbitration is None or self._busy or self._read_only:
            return
        self.error_label.hide()
        self.withdraw.emit(result.action.code)

    def arbitration_done(self, code: str) -> None:
        """The arbitration of ``code`` was written: its form shows what is now stored (what is
        being typed for another action stays)."""
        self._kept.pop(code, None)
        if self.result is not None and self.result.action.code == code:
            self._dirty = False

    def show_error(self, message: str) -> None:
        self.error_label.show_error(message, self.reason_edit)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_buttons()

    def _update_buttons(self) -> None:
        result = self.result
        editable = result is not None and not self._read_only
        for widget in (self.status_combo, self.reason_edit):
            widget.setEnabled(editable)
        self.apply_button.setEnabled(editable and not self._busy)
        self.withdraw_button.setEnabled(
            editable and not self._busy and result is not None and result.arbitration is not None
        )
        self.box.setToolTip(
            self.tr("Lecture seule : l'arbitrage ne peut pas être modifié dans cette fenêtre.")
            if self._read_only
            else ""
        )

    def focus_arbitration(self) -> None:
        """Land where typing is safe: in the reason (a closed combo box opens its list on a
        space and the rest of the sentence would be lost). Maj+Tab or Alt+E reach the status."""
        self.reason_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.reason_edit.moveCursor(QTextCursor.MoveOperation.End)
