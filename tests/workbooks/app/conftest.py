"""The desktop app's fixtures (a main window on a copy of the demo), for the workbook
actions' tests; shared with ``tests/ui`` rather than copied."""

from tests.ui.conftest import (  # noqa: F401
    portfolio_file,
    quick_extras,
    settings,
    themed,
    ui_target,
    window,
    workspace,
)
