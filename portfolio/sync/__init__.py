"""Offline copies: check a book out of a team portfolio, work on it anywhere, sync it back
with a field-level merge (``checkout``, ``run.sync``)."""
