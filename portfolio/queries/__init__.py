"""Read-side queries for the desktop app: lists, the budget grid and quick search.

Each module builds SQL and returns plain values; nothing here imports Qt, so the command
line and the exporters can reuse the very same queries.
"""
