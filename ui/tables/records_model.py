"""A table model over a computed result: roll-ups, the recovery plan, at-risk clients.

Analytics return their (already aggregated) rows in one piece, a few hundred to a few
tens of thousands; this model shows them with the same formatting as the SQL lists
(money in each row's currency, variances marked when unfavourable by an icon and a
colour). Sorting reorders the rows already computed; the rows come from SQL roll-ups,
so there is nothing to push down to the database again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from portfolio.model.vocab import Vocabulary
from ui.icons import brush, icon
from ui.tables.formatting import display, unfavourable
from ui.tables.lazy_records import LazyRecords

Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 10


@dataclass(frozen=True)
class Field:
    """A column of a computed table; reads like a list column to the formatting code."""

    key: str
    label: str
    kind: str = "text"
    higher_is_better: bool | None = None
    vocabulary: Vocabulary | None = None
    #: The record key holding the currency of money values.
    currency_key: str = "currency"
    width: int = 12
    alerts: tuple[str, ...] = ()
    tooltip: str = ""

    @property
    def is_variance(self) -> bool:
        return self.higher_is_better is not None

    @property
    def is_number(self) -> bool:
        return self.kind in ("money", "count", "integer", "percent")


class RecordsModel(QAbstractTableModel):
    def __init__(self, fields: tuple[Field, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.records: list[dict[str, Any]] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        # Records made as they are read (a campaign level's 50,000) are kept as they are.
        self.records = records if isinstance(records, LazyRecords) else list(records)
        if self._sort is not None:
            self._order(*self._sort)
        self.endResetModel()

    def record(self, row: int) -> dict[str, Any] | None:
        return self.records[row] if 0 <= row < len(self.records) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.fields)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.fields):
            return None
        field = self.fields[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return field.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return field.tooltip or field.label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if field.is_number else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.record(index.row())
        if record is None or not 0 <= index.column() < len(self.fields):
            return None
        field = self.fields[index.column()]
        value = record.get(field.key)
        currency = record.get(field.currency_key)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, list | tuple):
                return "; ".join(str(item) for item in value)
            return display(field, value, currency)  # type: ignore[arg-type]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if field.is_number else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        bad = unfavourable(field, value)  # type: ignore[arg-type]
        alert = bool(field.alerts) and value in field.alerts
        if role == Qt.ItemDataRole.ForegroundRole:
            if bad:
                return brush("unfavourable")
            if alert:
                return brush("warning")
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if bad:
                return icon("unfavourable")
            if alert:
                return icon("warning")
            return None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if isinstance(value, list | tuple):
                return "\n".join(str(item) for item in value)
            text = display(field, value, currency)  # type: ignore[arg-type]
            return f"{text} (unfavourable)" if bad else text
        if role == RECORD_ROLE:
            return record
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.fields):
            self._sort = None  # back to the order the rows were given in (from next load)
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order(column, order)
        self.layoutChanged.emit()

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        key = self.fields[column].key

        def sort_key(record: dict[str, Any]) -> tuple:
            value = record.get(key)
            if value is None:
                return (1, 0)
            if isinstance(value, int | float | Decimal):
                return (0, value)
            return (0, str(value).casefold())

        present = [r for r in self.records if r.get(key) is not None]
        missing = [r for r in self.records if r.get(key) is None]
        present.sort(key=sort_key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.records = present + missing
