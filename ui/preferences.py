"""Edit > Preferences…: the firm's name, accent colour and logo that review decks carry,
and how long to wait for a team server (connect and statement timeouts).

These are per user (``QSettings``), like the window layout: a rep's laptop prints the
firm's branding without a server. The values are checked by the core's ``Branding`` on
OK; a refusal is shown under the form with the field's name and the dialog stays open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from portfolio.decks.options import DEFAULT_ACCENT, FIRM_LIMIT
from portfolio.errors import ValidationError
from ui.decks.choices import check_branding, save_branding, stored_branding
from ui.decks.options_form import buddy_label
from ui.settings import Settings
from ui.theme import colours

LOGO_PREVIEW = (160, 48)


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.setAccessibleName("Preferences")
        self.setMinimumWidth(560)
        firm, accent, logo = stored_branding(settings)

        group = QGroupBox("Review decks")
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.firm = QLineEdit(firm)
        self.firm.setMaxLength(FIRM_LIMIT)
        self.firm.setAccessibleName("Firm name")
        self.firm.setPlaceholderText("Your firm's name, as on the title slide")
        form.addRow("&Firm name:", self.firm)

        self.accent = QLineEdit(accent)
        self.accent.setAccessibleName("Accent colour")
        self.accent.setPlaceholderText("#RRGGBB")
        self.accent.setMaximumWidth(110)
        self.swatch = QPushButton()
        self.swatch.setAccessibleName("Choose accent colour")
        self.swatch.setToolTip("Choose the accent colour")
        self.swatch.setFixedSize(56, 26)
        self.swatch.clicked.connect(self.choose_colour)
        reset = QPushButton("Default")
        reset.setToolTip(f"Use Portfolio's blue, {DEFAULT_ACCENT}")
        reset.clicked.connect(lambda: self.accent.setText(DEFAULT_ACCENT))
        self.accent.textChanged.connect(self._show_swatch)
        accent_row = QHBoxLayout()
        accent_row.addWidget(self.accent)
        accent_row.addWidget(self.swatch)
        accent_row.addWidget(reset)
        accent_row.addStretch(1)
        form.addRow(buddy_label("&Accent colour:", self.accent), accent_row)

        self.logo = QLineEdit(logo)
        self.logo.setAccessibleName("Logo file")
        self.logo.setPlaceholderText("none: the firm's name is written instead")
        self.logo.textChanged.connect(self._show_logo)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_logo)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.logo.clear)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(browse)
        logo_row.addWidget(clear)
        form.addRow(buddy_label("&Logo (PNG or JPEG):", self.logo), logo_row)
        self.logo_preview = QLabel()
        self.logo_preview.setAccessibleName("Logo preview")
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("", self.logo_preview)
        note = QLabel("Printed on the title slide and in the footer of every review deck.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", note)

        server = QGroupBox("Team server (PostgreSQL)")
        server_form = QFormLayout(server)
        timeouts = settings.timeouts()
        self.connect_timeout = QSpinBox()
        self.connect_timeout.setRange(2, 600)
        self.connect_timeout.setSuffix(" s")
        self.connect_timeout.setValue(round(timeouts.connect))
        self.connect_timeout.setAccessibleName("Connect timeout")
        server_form.addRow("&Wait to connect:", self.connect_timeout)
        self.statement_timeout = QSpinBox()
        self.statement_timeout.setRange(5, 3600)
        self.statement_timeout.setSuffix(" s")
        self.statement_timeout.setValue(round(timeouts.statement))
        self.statement_timeout.setAccessibleName("Statement timeout")
        server_form.addRow("Wait for an &answer:", self.statement_timeout)
        server_note = QLabel(
            "Past these the app says so in one line with Retry; they apply when a "
            "portfolio is next opened."
        )
        server_note.setWordWrap(True)
        server_note.setStyleSheet("color: palette(placeholder-text);")
        server_form.addRow("", server_note)

        self.error = QLabel("")
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {colours().unfavourable.name()};")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addWidget(server)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._show_swatch()
        self._show_logo()

    def _show_swatch(self) -> None:
        colour = QColor(self.accent.text().strip())
        shown = colour.name() if colour.isValid() else "transparent"
        self.swatch.setStyleSheet(f"background: {shown}; border: 1px solid palette(mid);")

    def _show_logo(self) -> None:
        path = self.logo.text().strip()
        pixmap = QPixmap(path) if path else QPixmap()
        if pixmap.isNull():
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("(no logo)" if not path else "(cannot show this file)")
            return
        self.logo_preview.setPixmap(
            pixmap.scaled(
                *LOGO_PREVIEW,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def choose_colour(self) -> None:
        start = QColor(self.accent.text().strip())
        chosen = QColorDialog.getColor(
            start if start.isValid() else QColor(DEFAULT_ACCENT), self, "Accent colour"
        )
        if chosen.isValid():
            self.accent.setText(chosen.name().upper())

    def choose_logo(self) -> None:
        current = self.logo.text().strip()
        start = str(Path(current).parent) if current else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Firm logo", start, "Images (*.png *.jpg *.jpeg)"
        )
        if path:
            self.logo.setText(path)

    def accept(self) -> None:
        try:
            chosen = check_branding(self.firm.text(), self.accent.text(), self.logo.text().strip())
        except ValidationError as error:
            self.error.setText(str(error))
            self.error.show()
            fields = {"firm name": self.firm, "logo": self.logo}
            fields.get(error.field, self.accent).setFocus()
            return
        save_branding(self.settings, chosen)
        self.settings.set_timeouts(self.connect_timeout.value(), self.statement_timeout.value())
        self.settings.sync()
        super().accept()
