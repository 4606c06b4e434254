"""The choices every deck takes: period, sections and file format, as one form.

Used by the client's Review deck dialog and by the director's book dialog. The period
is built from a kind (year to date, fiscal year, a year, a quarter, a month) and its
year, quarter or month, and becomes the same text the command line takes (``ytd``,
``fy``, ``2026``, ``2026-Q3``, ``2026-07``), read by the core's ``parse_period``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from portfolio.decks.options import SECTIONS, Branding, DeckOptions
from portfolio.errors import ValidationError
from portfolio.periods import MONTH_NAMES, month_label, parse_period

KINDS = (
    ("ytd", "Year to date"),
    ("fy", "Whole fiscal year"),
    ("year", "A year"),
    ("quarter", "A quarter"),
    ("month", "A month"),
)
FORMAT_NAMES = {"pdf": "PDF", "pptx": "PowerPoint"}
_STORED = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$", re.IGNORECASE)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter focuses ``buddy`` (a row holding a layout has none)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class DeckOptionsForm(QWidget):
    #: Any choice changed.
    changed = Signal()

    def __init__(
        self,
        *,
        as_of: int,
        period: str = "ytd",
        sections: tuple[str, ...] = tuple(SECTIONS),
        extension: str = "pdf",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.as_of = as_of
        #: The client's first fiscal month, to describe the period; None for many clients.
        self.fiscal_start: int | None = None
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.kind = QComboBox()
        self.kind.setAccessibleName("Period")
        for key, title in KINDS:
            self.kind.addItem(title, key)
        self.year = QSpinBox()
        self.year.setAccessibleName("Year")
        self.year.setRange(as_of // 100 - 10, as_of // 100 + 2)
        self.year.setValue(as_of // 100)
        self.quarter = QComboBox()
        self.quarter.setAccessibleName("Quarter")
        for number in range(1, 5):
            self.quarter.addItem(f"Q{number}", number)
        self.quarter.setCurrentIndex((as_of % 100 - 1) // 3)
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        for number, name in enumerate(MONTH_NAMES, start=1):
            self.month.addItem(name, number)
        self.month.setCurrentIndex(as_of % 100 - 1)
        period_row = QHBoxLayout()
        for widget in (self.kind, self.year, self.quarter, self.month):
            period_row.addWidget(widget)
        period_row.addStretch(1)
        period_box = QVBoxLayout()
        period_box.addLayout(period_row)
        self.period_note = QLabel("")
        self.period_note.setAccessibleName("Period covered")
        self.period_note.setWordWrap(True)
        self.period_note.setStyleSheet("color: palette(placeholder-text);")
        period_box.addWidget(self.period_note)
        form.addRow(buddy_label("&Period:", self.kind), period_box)

        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections")
        self.sections.setUniformItemSizes(True)
        for key, title in SECTIONS.items():
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if key in sections else Qt.CheckState.Unchecked
            )
            self.sections.addItem(item)
        rows = self.sections.sizeHintForRow(0) * len(SECTIONS) + 2 * self.sections.frameWidth()
        self.sections.setFixedHeight(rows + 4)
        every = QPushButton("All")
        every.setAccessibleName("All sections")
        every.clicked.connect(lambda: self._check_all(True))
        none = QPushButton("None")
        none.setAccessibleName("No sections")
        none.clicked.connect(lambda: self._check_all(False))
        section_buttons = QHBoxLayout()
        section_buttons.addWidget(every)
        section_buttons.addWidget(none)
        section_buttons.addStretch(1)
        section_box = QVBoxLayout()
        section_box.addWidget(self.sections)
        section_box.addLayout(section_buttons)
        form.addRow(buddy_label("&Sections:", self.sections), section_box)

        self.formats = QButtonGroup(self)
        format_row = QHBoxLayout()
        for number, (key, title) in enumerate(FORMAT_NAMES.items()):
            button = QRadioButton(title)
            button.setProperty("extension", key)
            button.setChecked(key == extension)
            self.formats.addButton(button, number)
            format_row.addWidget(button)
        format_row.addStretch(1)
        form.addRow(buddy_label("&Format:", self.formats.buttons()[0]), format_row)

        self.set_period(period)
        self.kind.currentIndexChanged.connect(self._period_changed)
        self.year.valueChanged.connect(self._period_changed)
        self.quarter.currentIndexChanged.connect(self._period_changed)
        self.month.currentIndexChanged.connect(self._period_changed)
        self.sections.itemChanged.connect(lambda _item: self.changed.emit())
        self.formats.idToggled.connect(lambda _id, on: on and self.changed.emit())
        self._period_changed()

    # -- reading and setting -----------------------------------------------------------
    def period_text(self) -> str:
        kind = self.kind.currentData()
        year = self.year.value()
        if kind == "year":
            return str(year)
        if kind == "quarter":
            return f"{year}-Q{self.quarter.currentData()}"
        if kind == "month":
            return f"{year}-{self.month.currentData():02d}"
        return kind

    def set_period(self, text: str) -> None:
        """Show a stored period (``ytd``, ``fy``, ``2026``, ``2026-Q3``, ``2026-07``)."""
        value = (text or "").strip().lower()
        match = _STORED.match(value)
        kind = value if value in ("ytd", "fy") else "ytd"
        if match:
            self.year.setValue(int(match.group(1)))
            if match.group(2):
                kind = "quarter"
                self.quarter.setCurrentIndex(int(match.group(2)) - 1)
            elif match.group(3) and 1 <= int(match.group(3)) <= 12:
                kind = "month"
                self.month.setCurrentIndex(int(match.group(3)) - 1)
            else:
                kind = "year"
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def chosen_sections(self) -> tuple[str, ...]:
        return tuple(
            self.sections.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.sections.count())
            if self.sections.item(row).checkState() == Qt.CheckState.Checked
        )

    def set_sections(self, keys: tuple[str, ...]) -> None:
        for row in range(self.sections.count()):
            item = self.sections.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def extension(self) -> str:
        return str(self.formats.checkedButton().property("extension"))

    def set_extension(self, extension: str) -> None:
        for button in self.formats.buttons():
            button.setChecked(button.property("extension") == extension)

    def options(self, branding: Branding) -> DeckOptions:
        """The core's ``DeckOptions``; raises ``ValidationError`` for no sections."""
        sections = self.chosen_sections()
        if not sections:
            raise ValidationError("sections", "choose at least one section")
        return DeckOptions(period=self.period_text(), sections=sections, branding=branding)

    def set_fiscal_start(self, month: int | None) -> None:
        self.fiscal_start = month
        self._describe()

    # -- internals ---------------------------------------------------------------------
    def _check_all(self, on: bool) -> None:
        self.set_sections(tuple(SECTIONS) if on else ())

    def _period_changed(self) -> None:
        kind = self.kind.currentData()
        self.year.setVisible(kind in ("year", "quarter", "month"))
        self.quarter.setVisible(kind == "quarter")
        self.month.setVisible(kind == "month")
        self._describe()
        self.changed.emit()

    def _describe(self) -> None:
        if self.fiscal_start is None:
            words = {
                "ytd": f"Each client's fiscal year to {month_label(self.as_of)}",
                "fy": "Each client's whole fiscal year, with the forecast for open months",
            }
            kind = self.kind.currentData()
            text = words.get(kind, "Quarters and years in each client's fiscal year")
            self.period_note.setText(text if kind != "month" else "One calendar month")
            return
        period = parse_period(self.period_text(), self.as_of, self.fiscal_start)
        span = month_label(period.first)
        if period.last != period.first:
            span += f" to {month_label(period.last)}"
        note = f"{period.label}: {span}"
        if period.last > self.as_of:
            note += f"; actuals to {month_label(self.as_of)}, forecast after"
        self.period_note.setText(note)
