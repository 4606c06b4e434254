"""Spreadsheets coming in: reading .xlsx and .csv files safely, matching their columns,
validating every row with the core, previewing and applying the changes, and undo."""
