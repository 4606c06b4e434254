"""A table model over a core list query that fetches only what is on screen.

The model knows the row count and holds a few pages of rows (200 each, the least
recently used dropped); it never loads a whole big list. All SQL runs on worker lanes
(``ui.jobs.Lane``), so the window never waits on the database:

* a new query (sort, filter, scope, refresh) fetches its first page, and the model
  switches over when it is in, so the old rows stay on screen meanwhile and the new
  ones appear without waiting for a count (``layoutChanged`` when the rows are the same
  ones re-sorted, a reset otherwise). A short first page is the whole list; a full one
  is shown with a provisional count (the old one when only the sort changed, else the
  page) and the exact count follows on the same lane, adding or removing rows;
* a page not in memory is shown blank and fetched, latest wanted first; near the top by
  ``LIMIT/OFFSET``, deeper through the ordered id list, which a second lane loads after
  each new query (8 bytes per row), so a jump to row 900,000 is a lookup by 200 ids
  rather than an ``OFFSET`` over 900,000 sorted rows;
* money totals (per currency) come from a query on that second lane too.

Edits go through the workspace (one transaction, one undo step); a refusal is reported
with ``refused(index, reason)`` and the cell keeps its stored value.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QApplication

from portfolio.actions import Action, Changes, Edit
from portfolio.actions.steps import RECORD
from portfolio.errors import PortfolioError, ValidationError
from portfolio.jobs import Cancelled
from portfolio.queries.interrupt import Interrupted, Interruptible
from portfolio.queries.listing import (
    ListColumn,
    ListQuery,
    RowLayout,
    Totals,
    ViewState,
    fetch_count,
    fetch_ids,
    fetch_page,
    fetch_rows,
    fetch_totals,
)
from portfolio.storage.failures import BusyError
from ui.editing.conflicts import perform_resolving
from ui.icons import brush, icon
from ui.tables.formatting import display, edit_text, unfavourable
from ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex

#: Roles beyond Qt's: the row's id, and the hidden keys (client_id, ...) of the row.
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS_ROLE = Qt.ItemDataRole.UserRole + 2
RAW_ROLE = Qt.ItemDataRole.UserRole + 3
CURRENCY_ROLE = Qt.ItemDataRole.UserRole + 4

LOADING = "…"
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
HANDLED = frozenset(
    {
        DISPLAY,
        EDIT,
        ALIGN,
        FOREGROUND,
        DECORATION,
        TOOLTIP,
        ACCESSIBLE,
        int(ROW_ID_ROLE),
        int(KEYS_ROLE),
        int(RAW_ROLE),
        int(CURRENCY_ROLE),
    }
)
NO_FLAGS = Qt.ItemFlag.NoItemFlags
READ_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
EDITABLE_FLAGS = READ_FLAGS | Qt.ItemFlag.ItemIsEditable
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class ListModel(QAbstractTableModel):
    PAGE_SIZE = 200
    #: Rows reached with LIMIT/OFFSET; beyond, pages wait for the ordered id list.
    OFFSET_LIMIT = 4000
    CACHE_PAGES = 60
    #: Delay before the id list and totals of a new query are read.
    EXTRAS_DELAY_MS = 300
    #: Pages asked for but not yet fetched that are worth fetching (most recent first).
    WANTED_LIMIT = 3

    #: The current query's count and first page are in.
    loaded = Signal()
    totals_changed = Signal()
    #: An edit was refused: the cell and the reason, in words.
    refused = Signal(QPersistentModelIndex, str)
    #: A query failed (the message is shown by the view).
    failed = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        list_name: str,
        state: ViewState = ViewState(),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.list_name = list_name
        #: The day and counted month the definition was made for (``_redefine``).
        self._context = workspace.context
        self.definition = workspace.definition(list_name)
        self.columns: tuple[ListColumn, ...] = self.definition.columns
        self._query = ListQuery(self.definition, state)
        self._wanted_state = state
        self._count = 0
        self._pages: OrderedDict[int, list[tuple]] = OrderedDict()
        self._ids: Any = None
        self._wanted: list[int] = []
        self._generation = 0
        self._ready = False
        self._shown_generation = -1
        self._counting = False
        self.totals: list[Totals] | None = None
        #: The last refusal: (row, column, reason), for tests and the status bar.
        self.last_refusal: tuple[int, int, str] | None = None
        #: Views with a cell in edit; while any, other people's changes wait.
        self._holds = 0
        self._pending: Changes | None = None
        self._fast = workspace.lane(self)
        self._slow = workspace.lane(self)
        self._totals_lane = workspace.lane(self)
        self._background: list[Interruptible] = []
        self._extras_pending = False
        self._layout = self._query.layout
        self._first = self._layout.first_column
        spec = None
        if self.definition.entity:
            from portfolio.editing import entity

            spec = entity(self.definition.entity)
        self._column_count = len(self.columns)
        self._alignment = [RIGHT if c.is_number else LEFT for c in self.columns]
        #: Where each column's note flag sits in a record (None: the column has no note).
        self._notes = [self._layout.note(c.key) for c in self.columns]
        #: Display texts already formatted, by (row, column); cleared with the pages.
        self._shown: dict[tuple[int, int], str] = {}
        self._editable = [
            bool(spec and c.field and spec.field(c.field).editable) for c in self.columns
        ]

    # -- state --------------------------------------------------------------------------

    @property
    def state(self) -> ViewState:
        """The state asked for last (shown once its rows are in; see ``query``)."""
        return self._wanted_state

    @property
    def query(self) -> ListQuery:
        """The query behind what is shown: reuse it to export exactly this view."""
        return self._query

    @property
    def first_rows_in(self) -> bool:
        """The latest query's first page is shown (its exact count may still be coming)."""
        return self._ready and self._shown_generation == self._generation

    @property
    def counting(self) -> bool:
        """The rows shown are the latest query's, but their count is provisional."""
        return self._counting

    @property
    def ready(self) -> bool:
        """The current query's first page is in and nothing is waiting on the fast lane."""
        return self._ready and not self._fast.busy

    @property
    def idle(self) -> bool:
        lanes = (self._fast, self._slow, self._totals_lane)
        return self._ready and not self._extras_pending and not any(lane.busy for lane in lanes)

    def set_state(self, state: ViewState) -> None:
        self.reload(state)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        self.reload(self.state.sorted_by(self.columns[column].key, descending))

    def refresh(self) -> None:
        """Read again what is shown (after changes elsewhere)."""
        self.reload(self.state)

    def reload(self, state: ViewState | None = None) -> None:
        """Run the query for ``state`` (default: the current one) and switch when it is in."""
        self._generation += 1
        generation = self._generation
        if self.workspace.context != self._context:
            self._redefine()
        query = ListQuery(self.definition, state if state is not None else self.state)
        self._wanted_state = query.state
        self._fast.clear()
        self._slow.clear()
        self._totals_lane.clear()
        self._stop_background()
        database = self.workspace.database

        def work() -> list[tuple]:
            with database.connect() as connection:
                return fetch_page(connection, query, 0, self.PAGE_SIZE)

        self._fast.submit(work, lambda first: self._switch(generation, query, first), self._failed)

    def _redefine(self) -> None:
        """Take the definition for the workspace's new context: the figures now count
        actuals to another month, which variances and their notes are made of. The
        columns keep their keys, kinds and places; only their SQL changes."""
        self._context = self.workspace.context
        self.definition = self.workspace.definition(self.list_name)
        self.columns = self.definition.columns

    def _failed(self, error: BaseException) -> None:
        self.failed.emit(str(error) if isinstance(error, PortfolioError) else repr(error))

    def _switch(self, generation: int, query: ListQuery, first: list[tuple]) -> None:
        if generation != self._generation:
            return
        exact = len(first) < self.PAGE_SIZE
        same_rows = self._ready and _same_rows(query.state, self._query.state)
        if exact:
            count = len(first)
        elif same_rows:
            count = max(self._count, len(first))
        else:
            count = len(first)
        same_shape = same_rows and count == self._count
        if same_shape:
            self.layoutAboutToBeChanged.emit()
        else:
            self.beginResetModel()
        self._query = query
        self._count = count
        self._counting = not exact
        self._shown = {}
        self._pages = OrderedDict({0: first})
        self._ids = None
        self._wanted = []
        self.totals = None
        if same_shape:
            self.layoutChanged.emit()
        else:
            self.endResetModel()
        self._ready = True
        self._shown_generation = generation
        self.totals_changed.emit()
        if exact:
            self._counted(generation, query, count)
            return
        database = self.workspace.database

        def work() -> int:
            with database.connect() as connection:
                return fetch_count(connection, query)

        self._fast.submit(work, lambda found: self._counted(generation, query, found), self._failed)

    def _counted(self, generation: int, query: ListQuery, count: int) -> None:
        """The exact count is in: add or drop the rows the provisional count got wrong."""
        if generation != self._generation:
            return
        shown = self._count
        if count > shown:
            self.beginInsertRows(QModelIndex(), shown, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < shown:
            self.beginRemoveRows(QModelIndex(), count, shown - 1)
            self._count = count
            self._drop_rows_from(count)
            self.endRemoveRows()
        self._counting = False
        self.loaded.emit()
        # The id list waits a moment: turning a million ids into Python ints holds the
        # GIL, and the first paint and the person's next click should not wait for it
        # (the totals, one SQL statement, wait with it). A list short enough to be paged
        # by offset has no id list: its totals come at once, so a figure page's lists
        # (a client's campaigns, the make-up actions of a measure) are complete with its
        # figures, not 300 ms after them (issue 15).
        self._extras_pending = True
        delay = 0 if count <= self.OFFSET_LIMIT else self.EXTRAS_DELAY_MS
        QTimer.singleShot(delay, lambda: self._start_extras(generation, query, count))
        self._fetch_next()

    def _drop_rows_from(self, count: int) -> None:
        """Forget cached rows and texts at or past ``count`` (the list got shorter)."""
        for page_number in [n for n in self._pages if n * self.PAGE_SIZE >= count]:
            del self._pages[page_number]
        self._shown = {key: text for key, text in self._shown.items() if key[0] < count}

    def _start_extras(self, generation: int, query: ListQuery, count: int) -> None:
        if generation != self._generation:
            return
        self._extras_pending = False
        self._load_extras(generation, query, count)

    def _stop_background(self) -> None:
        """Stop the id list and totals reads of queries no longer shown."""
        for read in self._background:
            read.interrupt()
        self._background = []

    def _background_failed(self, generation: int):
        def failed(error: BaseException) -> None:
            if generation == self._generation and not isinstance(error, Interrupted):
                self._failed(error)

        return failed

    def _load_extras(self, generation: int, query: ListQuery, count: int) -> None:
        # The id list streams through a server-side cursor, which needs a transaction.
        engine = self.workspace.database.engine
        if count > self.OFFSET_LIMIT:
            ids_read = Interruptible()
            self._background.append(ids_read)

            def ids() -> Any:
                with ids_read.running(engine) as connection:
                    return fetch_ids(connection, query)

            self._slow.submit(
                ids,
                lambda found: self._set_ids(generation, found),
                self._background_failed(generation),
            )
        if self.definition.has_totals:
            self._load_totals(generation, query)

    def _load_totals(self, generation: int, query: ListQuery) -> None:
        engine = self.workspace.database.read_engine
        totals_read = Interruptible()
        self._background.append(totals_read)

        def totals() -> list[Totals]:
            with totals_read.running(engine) as connection:
                return fetch_totals(connection, query)

        self._totals_lane.submit(
            totals,
            lambda found: self._set_totals(generation, found),
            self._background_failed(generation),
        )

    def _set_totals(self, generation: int, found: list[Totals]) -> None:
        if generation == self._generation:
            self.totals = found
            self.totals_changed.emit()

    def _set_ids(self, generation: int, ids: Any) -> None:
        if generation == self._generation:
            self._ids = ids
            self._fetch_next()

    # -- pages --------------------------------------------------------------------------

    def _record(self, row: int) -> tuple | None:
        page_number, offset = divmod(row, self.PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is None:
            self._want(page_number)
            return None
        if offset >= len(page):
            return None
        return page[offset]

    def _want(self, page_number: int) -> None:
        if page_number in self._wanted:
            if self._wanted[-1] != page_number:
                self._wanted.remove(page_number)
                self._wanted.append(page_number)
            return
        self._wanted.append(page_number)
        del self._wanted[: -self.WANTED_LIMIT]
        self._fetch_next()

    def _deep(self, page_number: int) -> bool:
        """Too far from either end to reach by OFFSET cheaply (it needs the id list)."""
        first = page_number * self.PAGE_SIZE
        return (
            first + self.PAGE_SIZE > self.OFFSET_LIMIT and self._count - first > self.OFFSET_LIMIT
        )

    def _fetch_next(self) -> None:
        if self._fast.busy or not self._wanted:
            return
        for page_number in reversed(self._wanted):
            if self._ids is None and self._deep(page_number):
                continue  # waits for the id list
            self._wanted.remove(page_number)
            self._fetch(page_number)
            return

    def _fetch(self, page_number: int) -> None:
        generation = self._generation
        query = self._query
        ids = self._ids
        database = self.workspace.database
        size = self.PAGE_SIZE

        count = self._count
        near_end = page_number * size >= self.OFFSET_LIMIT

        def work() -> list[tuple]:
            with database.connect() as connection:
                if ids is None and near_end:
                    first = page_number * size
                    last = min(first + size, count)
                    return fetch_page(connection, query, count - last, last - first, from_end=True)
                if ids is None:
                    return fetch_page(connection, query, page_number * size, size)
                chosen = list(ids[page_number * size : (page_number + 1) * size])
                found = fetch_rows(connection, query, chosen)
                return [found[i] for i in chosen if i in found]

        self._fast.submit(
            work, lambda rows: self._store(generation, page_number, rows), self._failed
        )

    def _store(self, generation: int, page_number: int, rows: list[tuple]) -> None:
        if generation != self._generation:
            return
        self._pages[page_number] = rows
        self._pages.move_to_end(page_number)
        self._forget_texts(page_number)
        while len(self._pages) > self.CACHE_PAGES:
            oldest = next(iter(self._pages))
            if oldest == page_number:
                break
            del self._pages[oldest]
        first = page_number * self.PAGE_SIZE
        last = min(first + self.PAGE_SIZE, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self._fetch_next()

    def ensure_rows(self, rows: list[int]) -> None:
        """Load the pages holding ``rows`` now (for copying a selection), at most the cache."""
        missing = sorted({row // self.PAGE_SIZE for row in rows} - set(self._pages))
        missing = missing[: self.CACHE_PAGES - 1]
        if not missing:
            return
        size = self.PAGE_SIZE
        database, query, ids = self.workspace.database, self._query, self._ids

        def read() -> dict[int, list[tuple]]:
            pages = {}
            with database.connect() as connection:
                for page_number in missing:
                    if ids is None:
                        pages[page_number] = fetch_page(connection, query, page_number * size, size)
                    else:
                        chosen = list(ids[page_number * size : (page_number + 1) * size])
                        found = fetch_rows(connection, query, chosen)
                        pages[page_number] = [found[i] for i in chosen if i in found]
            return pages

        generation = self._generation
        pages = self.workspace.run(read, title="Reading the rows to copy…")
        if generation != self._generation:
            return
        for page_number, rows_found in pages.items():
            self._pages[page_number] = rows_found
            self._forget_texts(page_number)

    def _forget_texts(self, page_number: int) -> None:
        first = page_number * self.PAGE_SIZE
        last = first + self.PAGE_SIZE
        for key in [key for key in self._shown if first <= key[0] < last]:
            del self._shown[key]

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    # -- Qt's model interface -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or column.label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.is_number else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        column = index.column()
        if not 0 <= column < self._column_count:
            return NO_FLAGS
        if self._editable[column] and self._cached(index.row()) is not None:
            return EDITABLE_FLAGS
        return READ_FLAGS

    def _cached(self, row: int) -> tuple | None:
        """The row if it is in memory; never asks for a fetch (``flags`` must stay cheap)."""
        page = self._pages.get(row // self.PAGE_SIZE)
        offset = row % self.PAGE_SIZE
        return page[offset] if page is not None and offset < len(page) else None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every role of every visible cell on each paint: leave early for the
        # roles this model does not answer, and keep the work per call small.
        if role not in HANDLED:
            return None
        row, column_number = index.row(), index.column()
        if not (0 <= row < self._count and 0 <= column_number < self._column_count):
            return None
        if role == ALIGN:
            return self._alignment[column_number]
        record = self._record(row)
        if record is None:
            return LOADING if role == DISPLAY and column_number == 0 else None
        column = self.columns[column_number]
        value = record[self._first + column_number]
        if role == DISPLAY:
            key = (row, column_number)
            text = self._shown.get(key)
            if text is None:
                if len(self._shown) > 20_000:
                    self._shown.clear()
                text = self._shown[key] = display(column, value, record[2])
            return text
        noted = self._notes[column_number]
        if noted is not None and record[noted]:
            # A figure made by a rule the row does not show (``CellNote``): marked as a
            # warning before anything else, and the tooltip says which rule.
            if role == FOREGROUND or role == DECORATION:
                return brush("warning") if role == FOREGROUND else icon("warning")
            if role == TOOLTIP or role == ACCESSIBLE:
                verdict = " (unfavourable)" if unfavourable(column, value) else ""
                return f"{display(column, value, record[2])}{verdict}: {column.note.text}"
        if role == FOREGROUND or role == DECORATION:
            if value is None or not (column.higher_is_better is not None or column.alerts):
                return None
            if unfavourable(column, value):
                return brush("unfavourable") if role == FOREGROUND else icon("unfavourable")
            if column.alerts and value in column.alerts:
                return brush("warning") if role == FOREGROUND else icon("warning")
            return None
        currency = record[2]
        if role == EDIT:
            return edit_text(column, value, currency)
        if role == TOOLTIP or role == ACCESSIBLE:
            text = display(column, value, currency)
            if unfavourable(column, value):
                return f"{text} (unfavourable)"
            if role == TOOLTIP and self.last_refusal is not None:
                refused_row, refused_column, reason = self.last_refusal
                if (refused_row, refused_column) == (row, column_number):
                    return f"Not saved: {reason}"
            return text
        if role == ROW_ID_ROLE:
            return record[0]
        if role == KEYS_ROLE:
            return {name: record[self._layout.key(name)] for name in self._layout.key_names}
        if role == RAW_ROLE:
            return value
        if role == CURRENCY_ROLE:
            return currency
        return None

    def currency_at(self, row: int) -> str | None:
        record = self._cached(row)
        return None if record is None else record[2]

    def value(self, row: int, column_number: int) -> Any:
        """The stored value of a cell if its row is in memory (no fetch)."""
        record = self._cached(row)
        return None if record is None else record[self._first + column_number]

    def row_id(self, row: int) -> int | None:
        record = self._cached(row)
        return None if record is None else record[0]

    def row_version(self, row: int) -> int | None:
        """The version of the row as shown (what an edit of it is based on)."""
        record = self._cached(row)
        return None if record is None else record[RowLayout.VERSION]

    def row_keys(self, row: int) -> dict[str, Any]:
        record = self._cached(row)
        if record is None:
            return {}
        return {name: record[self._layout.key(name)] for name in self._layout.key_names}

    def column_of(self, key: str) -> int:
        return self.definition.column_index(key)

    def field_spec(self, column_number: int):
        """The editing field behind a column (for picking its editor), or None."""
        column = self.columns[column_number]
        if not (self.definition.entity and column.field):
            return None
        from portfolio.editing import entity

        return entity(self.definition.entity).field(column.field)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not self._editable[index.column()]:
            return False
        record = self._cached(index.row())
        if record is None:
            return False
        column = self.columns[index.column()]
        shown = record[self._first + index.column()]
        if edit_text(column, shown, record[2]) == value:
            return False
        entity_name = self.definition.entity
        assert entity_name is not None and column.field is not None
        row_id = record[0]
        # Based on the row as shown: the core merges with what others changed since
        # and asks about a collision on this very field. The core names the record in
        # the action's text ({record}): no read of its name first.
        step = Edit(
            entity_name,
            row_id,
            {column.field: value},
            version=record[RowLayout.VERSION],
            seen={column.field: shown},
        )
        action = Action(f"Edit {column.label} of {RECORD}", (step,))
        try:
            outcome = perform_resolving(
                self.workspace, action, QApplication.activeWindow(), origin=self
            )
        except PortfolioError as error:
            reason = error.reason if isinstance(error, ValidationError) else str(error)
            if isinstance(error, (BusyError, Cancelled)):
                reason = f"{reason} (you typed {value}; enter it again to retry)"
            self.last_refusal = (index.row(), index.column(), reason)
            self.refused.emit(QPersistentModelIndex(index), reason)
            return False
        self.last_refusal = None
        return outcome is not None

    def hold(self, holding: bool) -> None:
        """A view opened (True) or closed (False) an editor on this model: while one is
        open, other people's changes wait, so the cell being typed in is not reloaded
        under the person (saving it goes through the conflict rule instead)."""
        self._holds = max(0, self._holds + (1 if holding else -1))
        if not self._holds and self._pending is not None:
            pending, self._pending = self._pending, None
            QTimer.singleShot(0, lambda: self.apply_changes(pending))

    def apply_changes(self, changes: Changes) -> None:
        """Show what an action changed: rows of this list edited in place are read
        again where they are (the order and the current cell stay); anything else
        (rows added or removed, a joined name changed) runs the query again.

        This model's own edit is read back before the save returns (the cell never
        shows the old value); other changes are read in the background, and wait
        while a cell is in edit (``hold``)."""
        if changes.origin is not self and self._holds:
            self._pending = changes if self._pending is None else self._pending.merged(changes)
            return
        base = self.definition.base.__tablename__
        if changes.only_updates(base):
            self.reread_rows(sorted(changes.ids(base)), now=changes.origin is self)
        else:
            self.reload(self.state)

    def reread_rows(self, ids: list[int], *, now: bool = False) -> None:
        """Re-read some rows in place (after an edit) and the totals; the order stays.

        Only rows already in memory are read: the others are read when shown. ``now``
        waits for them (``Workspace.run``), else they come on the fast lane."""
        cached = {record[0] for page in self._pages.values() for record in page}
        wanted = set(ids) & cached
        if not wanted:
            if self.definition.has_totals:
                self._load_totals(self._generation, self._query)
            return
        database, query, generation = self.workspace.database, self._query, self._generation

        def read() -> dict[int, tuple]:
            with database.connect() as connection:
                return fetch_rows(connection, query, list(wanted))

        if now:
            self._store_rows(generation, self.workspace.run(read, title="Reading it back…"))
        else:
            self._fast.submit(read, lambda fresh: self._store_rows(generation, fresh), self._failed)

    def _store_rows(self, generation: int, fresh: dict[int, tuple]) -> None:
        if generation != self._generation:
            return
        for page_number, page in self._pages.items():
            for offset, record in enumerate(page):
                if record[0] in fresh:
                    page[offset] = fresh[record[0]]
                    row = page_number * self.PAGE_SIZE + offset
                    for column in range(self._column_count):
                        self._shown.pop((row, column), None)
                    self.dataChanged.emit(
                        self.index(row, 0), self.index(row, len(self.columns) - 1)
                    )
        if self.definition.has_totals:
            self._load_totals(self._generation, self._query)


def _same_rows(one: ViewState, other: ViewState) -> bool:
    """The two states match the same rows (they may differ in order and columns)."""
    return one.filter_text == other.filter_text and one.scope == other.scope
