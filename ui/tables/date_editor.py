"""The one date editor, for forms and table cells alike: type a date, or pick one.

It is a line edit, so what is typed stays exactly as typed (no sections that swallow
digits, no hidden "blank" date): ``2027-01-31``, ``31 Jan 2027`` or the computer's short
form. The core reads it (``portfolio.dates``) and refuses what is not one date, with the
reason. The calendar button opens a month view at the field's date, or at today when
the field is blank or unreadable; a click there writes the date as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtWidgets import QCalendarWidget, QFrame, QLineEdit, QVBoxLayout, QWidget

from portfolio import dates
from portfolio.dates import DateTextError, read_date, read_datetime
from ui.icons import icon


def configure_local_dates(locale: QLocale | None = None) -> None:
    """Hand the locale's short date pattern and month names to the core's date reader."""
    locale = locale or QLocale.system()
    names: dict[str, int] = {}
    for month in range(1, 13):
        for form in (QLocale.FormatType.LongFormat, QLocale.FormatType.ShortFormat):
            names[locale.monthName(month, form)] = month
            names[locale.standaloneMonthName(month, form)] = month
    dates.configure(locale.dateFormat(QLocale.FormatType.ShortFormat), names)


def hint_text(kind: str = "date") -> str:
    """What a person may type, e.g. ``2027-01-31, 31 Jan 2027 or 1/31/27``."""
    example = dates.LOCAL.example()
    forms = "2027-01-31, 31 Jan 2027" + (f" or {example}" if example else "")
    return forms + (" (and a time, 14:30)" if kind == "datetime" else "")


class CalendarPopup(QFrame):
    """A month view that closes when a day is chosen (or Esc, or a click outside)."""

    chosen = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setAccessibleName("Calendar")
        self.calendar.clicked.connect(self._chosen)
        self.calendar.activated.connect(self._chosen)
        layout.addWidget(self.calendar)

    def _chosen(self, day: QDate) -> None:
        self.hide()
        self.chosen.emit(day)


class DateEditor(QLineEdit):
    """A date (or date and time) typed as text, with a calendar button.

    ``kind`` is ``"date"`` or ``"datetime"``; ``value()`` is the text for the core to
    read (``None`` when blank), ``set_value`` shows a stored date in ISO form.
    """

    def __init__(self, parent: QWidget | None, kind: str = "date", allow_blank: bool = True):
        super().__init__(parent)
        self.kind = kind
        self.allow_blank = allow_blank
        self.setPlaceholderText(hint_text(kind))
        self.setToolTip(f"Type {hint_text(kind)}, or pick a day with the calendar button")
        self.calendar_action = self.addAction(
            icon("calendar"), QLineEdit.ActionPosition.TrailingPosition
        )
        self.calendar_action.setToolTip("Pick a day (opens at this field's date, or today)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.popup: CalendarPopup | None = None

    # -- value ----------------------------------------------------------------------------

    def set_value(self, value: dt.date | dt.datetime | None) -> None:
        if value is None:
            self.setText("")
        elif isinstance(value, dt.datetime):
            self.setText(value.strftime("%Y-%m-%d %H:%M"))
        elif isinstance(value, dt.date):
            self.setText(value.isoformat())
        else:
            self.setText(str(value))
        self.selectAll()

    def value(self) -> str | None:
        text = self.text().strip()
        return text or None

    def typed_date(self) -> dt.date | None:
        """The date the text reads as, or ``None`` (blank or not a date)."""
        text = self.text().strip()
        if not text:
            return None
        try:
            if self.kind == "datetime":
                return read_datetime(text).date()
            return read_date(text)
        except DateTextError:
            return None

    # -- calendar -------------------------------------------------------------------------

    def start_day(self) -> QDate:
        """Where the calendar opens: the typed date, else today."""
        typed = self.typed_date()
        if typed is None:
            return QDate.currentDate()
        return QDate(typed.year, typed.month, typed.day)

    def open_calendar(self) -> CalendarPopup:
        if self.popup is None:
            self.popup = CalendarPopup(self)
            self.popup.chosen.connect(self._picked)
        day = self.start_day()
        self.popup.calendar.setSelectedDate(day)
        self.popup.calendar.setCurrentPage(day.year(), day.month())
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(QPoint(0, self.height())))
        self.popup.show()
        self.popup.calendar.setFocus()
        return self.popup

    def _picked(self, day: QDate) -> None:
        text = day.toString("yyyy-MM-dd")
        if self.kind == "datetime":
            old = self.text().strip()
            time = old.split(" ", 1)[1] if old.count(" ") == 1 and ":" in old else "00:00"
            text = f"{text} {time}"
        self.setText(text)
        self.setFocus()
