"""Change journal: every action with who made it and what it changed; logins for people.

The import journal of 0002 becomes part of the one journal: each applied import is a
journal entry of kind ``import`` and each row it added or changed a journal change, so
``portfolio import undo`` keeps working on imports made before the upgrade. What 0002
did not record (who imported, the values an import wrote) is left empty; an import that
was undone gets an ``undo`` entry at the time it was undone.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Who made the changes journalled before the journal knew people.
UNKNOWN = "(before the journal)"

#: Tables whose ids the journal refers to. On SQLite they are rebuilt with
#: AUTOINCREMENT: without it SQLite hands out the id of the newest row again once that
#: row is deleted (an undone create), and the journal would mix two records' pasts.
#: PostgreSQL's sequences never reuse an id.
ID_TABLES = (
    "team_member",
    "client",
    "fx_rate",
    "sales_objective",
    "campaign",
    "client_request",
    "contact",
    "meeting",
    "opportunity",
    "budget_line",
    "campaign_drop",
    "deadline",
    "feedback",
    "makeup_action",
    "material_item",
)


def upgrade() -> None:
    _never_reuse_ids()
    # A plain ADD COLUMN and a unique index, not batch mode: rebuilding team_member on
    # SQLite would drop the table that clients reference (ON DELETE CASCADE).
    op.add_column("team_member", sa.Column("login", sa.String(length=128), nullable=True))
    op.create_index(op.f("ix_team_member_login"), "team_member", ["login"], unique=True)
    op.create_table(
        "journal_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "kind IN ('edit', 'import', 'undo', 'redo')", name=op.f("ck_journal_entry_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["team_member.id"],
            name=op.f("fk_journal_entry_member_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reverts_id"],
            ["journal_entry.id"],
            name=op.f("fk_journal_entry_reverts_id_journal_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["journal_entry.id"],
            name=op.f("fk_journal_entry_undone_by_id_journal_entry"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entry")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_journal_entry_at"), "journal_entry", ["at"], unique=False)
    op.create_index(
        op.f("ix_journal_entry_member_id"), "journal_entry", ["member_id"], unique=False
    )
    op.create_table(
        "journal_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "op IN ('create', 'update', 'delete')", name=op.f("ck_journal_change_op_valid")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entry.id"],
            name=op.f("fk_journal_change_entry_id_journal_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_change")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_journal_change_client_id"), "journal_change", ["client_id"], unique=False
    )
    op.create_index(
        op.f("ix_journal_change_entry_id"), "journal_change", ["entry_id"], unique=False
    )
    op.create_index("ix_journal_change_record", "journal_change", ["entity", "row_id"])
    _carry_over_imports()
    op.drop_table("import_change")
    op.drop_table("import_batch")


def _never_reuse_ids() -> None:
    """Rebuild the id tables of an SQLite portfolio with ``AUTOINCREMENT``.

    SQLite's own procedure for changing a table (create the new table, copy the rows,
    drop the old one, rename the new one, recreate its indexes), which needs foreign
    keys off so that dropping a parent does not cascade: ``portfolio.storage.migrate``
    runs upgrades so, and checks every foreign key before committing.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite upgrades must run with foreign keys off (see migrate.py)")
    for table in ID_TABLES:
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        if sql is None or "AUTOINCREMENT" in sql.upper():
            continue
        primary = f"CONSTRAINT pk_{table} PRIMARY KEY (id)"
        column = re.compile(r"\bid INTEGER NOT NULL,")
        if primary not in sql or not column.search(sql):
            raise RuntimeError(f"unexpected definition of table {table}")
        rebuilt = column.sub(
            f"id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,", sql, count=1
        )
        rebuilt = re.sub(rf",\s*{re.escape(primary)}", "", rebuilt, count=1)
        rebuilt = rebuilt.replace(f"CREATE TABLE {table} (", f"CREATE TABLE _new_{table} (", 1)
        indexes = [
            row[0]
            for row in bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            )
        ]
        # pysqlite runs a DDL statement before any DML outside the transaction: a
        # failed earlier attempt may have left the new table behind.
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS _new_{table}")
        bind.exec_driver_sql(rebuilt)
        bind.exec_driver_sql(f"INSERT INTO _new_{table} SELECT * FROM {table}")
        bind.exec_driver_sql(f"DROP TABLE {table}")
        bind.exec_driver_sql(f"ALTER TABLE _new_{table} RENAME TO {table}")
        for index in indexes:
            bind.exec_driver_sql(index)


def _carry_over_imports() -> None:
    connection = op.get_bind()
    entries = sa.table(
        "journal_entry",
        sa.column("id", sa.Integer),
        # Untyped: the times are copied as the backend returned them (text on SQLite).
        sa.column("at"),
        sa.column("login", sa.String),
        sa.column("user_name", sa.String),
        sa.column("action", sa.String),
        sa.column("kind", sa.String),
        sa.column("reverts_id", sa.Integer),
        sa.column("undone_by_id", sa.Integer),
        sa.column("source", sa.String),
    )
    changes = sa.table(
        "journal_change",
        sa.column("entry_id", sa.Integer),
        sa.column("entity", sa.String),
        sa.column("row_id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("record", sa.String),
        sa.column("currency", sa.String),
        sa.column("op", sa.String),
        sa.column("before", sa.Text),
        sa.column("version", sa.Integer),
    )
    batches = connection.execute(
        sa.text("SELECT id, source, imported_at, undone_at FROM import_batch ORDER BY id")
    ).all()
    for batch_id, source, imported_at, undone_at in batches:
        entry_id = connection.execute(
            sa.insert(entries)
            .values(
                at=imported_at,
                login=UNKNOWN,
                user_name=UNKNOWN,
                action=f"Import {source}"[:500],
                kind="import",
                source=source,
            )
            .returning(entries.c.id)
        ).scalar_one()
        rows = connection.execute(
            sa.text(
                "SELECT entity, row_id, action, previous, version FROM import_change "
                "WHERE batch_id = :batch ORDER BY id"
            ),
            {"batch": batch_id},
        ).all()
        owners = _owners(connection, rows)
        values = []
        for entity, row_id, action, previous, version in rows:
            client_id, record, currency = owners.get((entity, row_id), (None, None, None))
            values.append(
                {
                    "entry_id": entry_id,
                    "entity": entity,
                    "row_id": row_id,
                    "client_id": client_id,
                    "record": (record or f"{entity.replace('_', ' ')} {row_id}")[:500],
                    "currency": currency,
                    "op": "create" if action == "added" else "update",
                    "before": previous,
                    "version": version,
                }
            )
        for start in range(0, len(values), 5000):
            connection.execute(sa.insert(changes), values[start : start + 5000])
        if undone_at is not None:
            undo_id = connection.execute(
                sa.insert(entries)
                .values(
                    at=undone_at,
                    login=UNKNOWN,
                    user_name=UNKNOWN,
                    action=f"Undo Import {source}"[:500],
                    kind="undo",
                    reverts_id=entry_id,
                )
                .returning(entries.c.id)
            ).scalar_one()
            connection.execute(
                sa.update(entries).where(entries.c.id == entry_id).values(undone_by_id=undo_id)
            )


#: How to find a journalled row's client, name and currency, per table, as SQL.
OWNER_SQL = {
    "client": "SELECT c.id, c.id, c.name, c.currency FROM client c WHERE c.id IN ({ids})",
    "campaign": (
        "SELECT p.id, c.id, c.name || ' / ' || p.name, c.currency FROM campaign p "
        "JOIN client c ON c.id = p.client_id WHERE p.id IN ({ids})"
    ),
    "budget_line": (
        "SELECT b.id, c.id, c.name || ' / ' || p.name || ' / ' || "
        "CAST(b.month / 100 AS VARCHAR(4)) || '-' || "
        "CASE WHEN b.month % 100 < 10 THEN '0' ELSE '' END || CAST(b.month % 100 AS VARCHAR(2)), "
        "c.currency FROM budget_line b JOIN campaign p ON p.id = b.campaign_id "
        "JOIN client c ON c.id = p.client_id WHERE b.id IN ({ids})"
    ),
    "opportunity": (
        "SELECT o.id, c.id, c.name || ' / ' || o.name, c.currency FROM opportunity o "
        "JOIN client c ON c.id = o.client_id WHERE o.id IN ({ids})"
    ),
}


def _owners(connection, rows) -> dict[tuple[str, int], tuple]:
    by_entity: dict[str, list[int]] = {}
    for entity, row_id, *_ in rows:
        by_entity.setdefault(entity, []).append(row_id)
    found: dict[tuple[str, int], tuple] = {}
    for entity, ids in by_entity.items():
        sql = OWNER_SQL.get(entity)
        if sql is None:
            continue
        for start in range(0, len(ids), 5000):
            listed = ", ".join(str(int(i)) for i in ids[start : start + 5000])
            for row_id, client_id, record, currency in connection.execute(
                sa.text(sql.format(ids=listed))
            ):
                found[(entity, row_id)] = (client_id, record, currency)
    return found


def downgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "import_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("previous", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "action IN ('added', 'changed')", name=op.f("ck_import_change_action_valid")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_import_change_batch_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_change")),
        sa.UniqueConstraint(
            "batch_id", "entity", "row_id", name=op.f("uq_import_change_batch_id_entity_row_id")
        ),
    )
    # Imports made since the upgrade go back to the import journal, so an older
    # Portfolio can still undo them; everything else the journal knew is dropped.
    connection = op.get_bind()
    imports = connection.execute(
        sa.text(
            "SELECT e.id, e.source, e.at, u.at FROM journal_entry e "
            "LEFT JOIN journal_entry u ON u.id = e.undone_by_id "
            "WHERE e.kind = 'import' ORDER BY e.id"
        )
    ).all()
    for entry_id, source, at, undone_at in imports:
        counts = dict(
            connection.execute(
                sa.text(
                    "SELECT op, COUNT(*) FROM journal_change WHERE entry_id = :entry GROUP BY op"
                ),
                {"entry": entry_id},
            ).all()
        )
        connection.execute(
            sa.text(
                "INSERT INTO import_batch (id, source, imported_at, added, changed, undone_at) "
                "VALUES (:id, :source, :at, :added, :changed, :undone)"
            ),
            {
                "id": entry_id,
                "source": source or "import",
                "at": at,
                "added": counts.get("create", 0),
                "changed": counts.get("update", 0),
                "undone": undone_at,
            },
        )
        connection.execute(
            sa.text(
                "INSERT INTO import_change (batch_id, entity, row_id, action, previous, version) "
                "SELECT entry_id, entity, row_id, "
                "CASE WHEN op = 'create' THEN 'added' ELSE 'changed' END, before, "
                "COALESCE(version, 1) FROM journal_change "
                "WHERE entry_id = :entry AND op IN ('create', 'update')"
            ),
            {"entry": entry_id},
        )
    op.drop_index("ix_journal_change_record", table_name="journal_change")
    op.drop_index(op.f("ix_journal_change_entry_id"), table_name="journal_change")
    op.drop_index(op.f("ix_journal_change_client_id"), table_name="journal_change")
    op.drop_table("journal_change")
    op.drop_index(op.f("ix_journal_entry_member_id"), table_name="journal_entry")
    op.drop_index(op.f("ix_journal_entry_at"), table_name="journal_entry")
    op.drop_table("journal_entry")
    op.drop_index(op.f("ix_team_member_login"), table_name="team_member")
    # Not batch mode (see upgrade): SQLite has dropped columns in place since 3.35.
    op.execute("ALTER TABLE team_member DROP COLUMN login")
