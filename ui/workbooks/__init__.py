"""Workbooks in the desktop app: File > Export workbook…, Export this view…, Import….

``install(window)`` adds the three actions above the File menu's export anchor. This
module imports only Qt; the exporters and importers load when an action is used, so
the app's start-up does not pay for openpyxl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def install(window: MainWindow) -> dict[str, QAction]:
    """Add the workbook actions to ``window``'s File menu; return them by name."""
    from ui.workbooks import actions

    found = {}
    for name, text, tip, slot in (
        (
            "export_workbook",
            "Export &workbook…",
            "Write the manager's workbook: summary, variance, budget lines and records",
            actions.export_workbook,
        ),
        (
            "export_view",
            "Export this &view…",
            "Write the list you are looking at, as filtered and sorted, to a workbook",
            actions.export_this_view,
        ),
        (
            "import",
            "&Import spreadsheet…",
            "Check a workbook or CSV file against the portfolio, then apply it",
            actions.import_spreadsheet,
        ),
    ):
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, run=slot: run(window))
        window.file_menu.insertAction(window.export_anchor, action)
        found[name] = action
    window.workbook_actions = found
    return found
