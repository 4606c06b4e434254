"""Portfolio core: the book of business, headless.

Nothing in this package imports Qt; the desktop app in ``ui/`` and the command line
both stand on it.
"""

__version__ = "0.1.0"
