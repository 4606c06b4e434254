"""Where the portfolio lives: opening SQLite files or PostgreSQL URLs, migrating, backing up."""

from portfolio.storage.database import Database, open_database

__all__ = ["Database", "open_database"]
