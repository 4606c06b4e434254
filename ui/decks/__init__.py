"""Review decks in the desktop app: one client's deck with a preview, a director's book.

The deck engine is the core's (``portfolio.decks``); these modules choose the options,
run it off the GUI thread through ``ui.jobs`` and show what it wrote.
"""
