"""Team access on PostgreSQL: what each login may do, enforced by the server itself.

Every team member gets an ``access`` (manager, director, rep, viewer; empty: none). On
SQLite that is all: a laptop file has no logins to enforce. On PostgreSQL the server
enforces it, so a person with ``psql`` can do no more than the app lets them:

* grants per login (``portfolio_sync_grants``, run by ``portfolio team add-login``
  and after every upgrade): a viewer may only read; directors and reps may write the
  client tables and add to the journal; only managers change the team, the settings
  and the reference data; only the database owner changes the schema;
* row-level security on every table under a client: rows are written only inside the
  login's book (a director's clients, a rep's assigned clients; managers everything),
  checked on the new row (``WITH CHECK``);
* a guard trigger on the same tables checks the old row too and refuses in words a
  person can act on ("You cannot change Acme's budget: it belongs to Isla Patel's
  book"), with SQLSTATE 42501, before anything changes. It also keeps reps from
  deleting clients and from changing budgets of a year locked by the
  ``budget_locked_year`` setting;
* the journal is truthful: a new entry always names the login that wrote it and its
  team member (``PORTFOLIO_USER`` cannot make it someone else's), entries are numbered
  in commit order (an advisory lock from numbering to commit), and each one is
  announced on the ``portfolio_journal`` channel (``LISTEN``), which is how other
  windows learn about it.

The database owner (who runs ``portfolio new`` and the upgrades) is not bound by row
security, as PostgreSQL has it for table owners.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCESS_VALUES = ("manager", "director", "rep", "viewer")

#: Tables under a client: (table, the words for what it holds, how a row leads to its
#: client: None for its own ``client_id``, else (parent table, column naming the parent)).
#: The client table itself is checked by its book.
CLIENT_TABLES = (
    ("contact", "contacts", None),
    ("campaign", "campaigns", None),
    ("makeup_action", "make-up plan", None),
    ("deadline", "deadlines", None),
    ("client_request", "requests", None),
    ("feedback", "feedback", None),
    ("opportunity", "opportunities", None),
    ("meeting", "meetings", None),
    ("budget_line", "budget", ("campaign", "campaign_id")),
    ("campaign_drop", "campaign drops", ("campaign", "campaign_id")),
    ("material_item", "materials", ("deadline", "deadline_id")),
)


def _client_expression(via: tuple[str, str] | None, column: str) -> str:
    """SQL for the client id of a row whose ``via`` column reads as ``column`` (a
    format string taking the column name)."""
    if via is None:
        return column.format("client_id")
    parent, key = via
    return f"(SELECT p.client_id FROM {parent} p WHERE p.id = {column.format(key)})"


#: Tables only managers (and the owner) change.
MANAGER_TABLES = (
    "team_member",
    "sales_objective",
    "currency",
    "fx_rate",
    "sla_policy",
    "setting",
)

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION portfolio_access() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN (SELECT pg_has_role(current_user, d.datdba, 'MEMBER')
            FROM pg_database d WHERE d.datname = current_database()) THEN 'owner'
    ELSE (SELECT m.access FROM team_member m WHERE m.login = current_user AND m.active)
  END
$$;

CREATE OR REPLACE FUNCTION portfolio_member() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT m.id FROM team_member m WHERE m.login = current_user AND m.active
$$;

-- Whether this login may write in the book of (director, rep).
CREATE OR REPLACE FUNCTION portfolio_may_write_book(p_director integer, p_rep integer)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE portfolio_access()
    WHEN 'owner' THEN true
    WHEN 'manager' THEN true
    WHEN 'director' THEN p_director IS NOT DISTINCT FROM portfolio_member()
    WHEN 'rep' THEN p_rep IS NOT DISTINCT FROM portfolio_member()
    ELSE false
  END
$$;

-- Whether this login may write what is under client p_client (true for a client that
-- does not exist: the foreign key refuses that row in its own words).
CREATE OR REPLACE FUNCTION portfolio_may_write(p_client integer)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT portfolio_may_write_book(c.director_id, c.rep_id) FROM client c WHERE c.id = p_client),
    true)
$$;

-- Why this login may not change p_what of client p_client, in words; NULL if it may.
CREATE OR REPLACE FUNCTION portfolio_refusal(p_client integer, p_what text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_access text := portfolio_access();
  v_client record;
BEGIN
  IF v_access IN ('owner', 'manager') OR p_client IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT c.name, c.director_id, c.rep_id, d.name AS director
    INTO v_client
    FROM client c LEFT JOIN team_member d ON d.id = c.director_id
   WHERE c.id = p_client;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_access IS NULL OR v_access = 'viewer' THEN
    RETURN format('You cannot change %s''s %s: you have read-only access', v_client.name, p_what);
  END IF;
  IF portfolio_may_write_book(v_client.director_id, v_client.rep_id) THEN
    RETURN NULL;
  END IF;
  IF v_access = 'rep' THEN
    RETURN format('You cannot change %s''s %s: it is not one of your clients '
                  '(it belongs to %s''s book)', v_client.name, p_what, v_client.director);
  END IF;
  RETURN format('You cannot change %s''s %s: it belongs to %s''s book',
                v_client.name, p_what, v_client.director);
END
$$;

-- The year up to which budgets are locked for reps, or NULL.
CREATE OR REPLACE FUNCTION portfolio_budget_locked_year() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN value ~ '^[0-9]{4}$' THEN value::integer END
    FROM setting WHERE key = 'budget_locked_year'
$$;

CREATE OR REPLACE FUNCTION portfolio_refuse(p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = p_message, ERRCODE = '42501',
    HINT = 'A manager can change who may do what: portfolio team set-role';
END
$$;

-- The guard of the client table: a row stays in a book this login may write.
CREATE OR REPLACE FUNCTION portfolio_guard_client() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_access text := portfolio_access();
  v_director text;
  v_refusal text;
BEGIN
  IF v_access IN ('owner', 'manager') THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_refusal := portfolio_refusal(OLD.id, 'details');
    IF v_refusal IS NOT NULL THEN
      PERFORM portfolio_refuse(v_refusal);
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF v_access = 'rep' THEN
      PERFORM portfolio_refuse(format(
        'You cannot delete %s: an account rep cannot delete clients', OLD.name));
    END IF;
    RETURN OLD;
  END IF;
  IF v_access IS NULL OR v_access = 'viewer' THEN
    PERFORM portfolio_refuse(format('You cannot change %s: you have read-only access', NEW.name));
  END IF;
  IF NOT portfolio_may_write_book(NEW.director_id, NEW.rep_id)
     OR (TG_OP = 'UPDATE' AND v_access = 'rep' AND NEW.director_id <> OLD.director_id) THEN
    SELECT name INTO v_director FROM team_member WHERE id = NEW.director_id;
    IF TG_OP = 'INSERT' THEN
      PERFORM portfolio_refuse(format(
        'You cannot add %s to %s''s book: you may add clients only to your own',
        NEW.name, coalesce(v_director, 'another director')));
    END IF;
    PERFORM portfolio_refuse(format(
      'You cannot move %s to %s''s book or to another rep: only a manager can',
      NEW.name, coalesce(v_director, 'another director')));
  END IF;
  RETURN NEW;
END
$$;

-- The guard of the tables under a client: TG_ARGV[0] names what they hold.
CREATE OR REPLACE FUNCTION portfolio_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_access text := portfolio_access();
  v_what text := TG_ARGV[0];
  v_old integer;
  v_new integer;
  v_refusal text;
  v_locked integer;
  v_month integer;
BEGIN
  IF v_access IN ('owner', 'manager') THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_old := portfolio_client_of(TG_TABLE_NAME, to_jsonb(OLD));
    v_refusal := portfolio_refusal(v_old, v_what);
    IF v_refusal IS NOT NULL THEN
      PERFORM portfolio_refuse(v_refusal);
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    v_new := portfolio_client_of(TG_TABLE_NAME, to_jsonb(NEW));
    IF v_new IS DISTINCT FROM v_old THEN
      v_refusal := portfolio_refusal(v_new, v_what);
      IF v_refusal IS NOT NULL THEN
        PERFORM portfolio_refuse(v_refusal);
      END IF;
    END IF;
  END IF;
  IF TG_TABLE_NAME = 'budget_line' AND v_access = 'rep' THEN
    v_locked := portfolio_budget_locked_year();
    v_month := CASE WHEN TG_OP = 'DELETE' THEN OLD.month ELSE NEW.month END;
    IF v_locked IS NOT NULL AND v_month / 100 <= v_locked AND (
         (TG_OP = 'UPDATE' AND (NEW.spend_budget, NEW.revenue_budget, NEW.sales_budget)
                      IS DISTINCT FROM (OLD.spend_budget, OLD.revenue_budget, OLD.sales_budget))
      OR (TG_OP = 'INSERT' AND (NEW.spend_budget, NEW.revenue_budget, NEW.sales_budget)
                               <> (0, 0, 0))
      OR (TG_OP = 'DELETE' AND (OLD.spend_budget, OLD.revenue_budget, OLD.sales_budget)
                               <> (0, 0, 0))) THEN
      PERFORM portfolio_refuse(format(
        'You cannot change the %s budget of %s: budgets up to %s are locked '
        '(a director or a manager can change them)',
        v_month / 100,
        (SELECT c.name FROM client c WHERE c.id = coalesce(v_new, v_old)),
        v_locked));
    END IF;
  END IF;
  RETURN coalesce(NEW, OLD);
END
$$;

-- A journal entry names the login that wrote it and is numbered in commit order.
CREATE OR REPLACE FUNCTION portfolio_journal_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_member record;
BEGIN
  -- Held until commit: entries commit in the order of their numbers, so a reader
  -- that has seen entry N has seen every entry before it.
  PERFORM pg_advisory_xact_lock(7310400013);
  NEW.id := nextval(pg_get_serial_sequence('journal_entry', 'id'));
  IF portfolio_access() IS DISTINCT FROM 'owner' THEN
    SELECT m.id, m.name INTO v_member FROM team_member m WHERE m.login = current_user;
    NEW.login := current_user;
    NEW.member_id := v_member.id;
    NEW.user_name := coalesce(v_member.name, current_user::text);
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION portfolio_journal_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portfolio_journal', NEW.id::text);
  RETURN NULL;
END
$$;
"""

GRANTS = r"""
-- Grants of one login, from its team member's access (run by the owner or a manager).
CREATE OR REPLACE FUNCTION portfolio_sync_grants(p_login text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_access text;
  v_table text;
  v_manager_tables text[] := ARRAY[{manager_tables}];
BEGIN
  IF NOT (
    (SELECT pg_has_role(session_user, d.datdba, 'MEMBER')
       FROM pg_database d WHERE d.datname = current_database())
    OR EXISTS (SELECT 1 FROM team_member m
                WHERE m.login = session_user AND m.active AND m.access = 'manager')
  ) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'Only a manager or the database owner can change who may use this portfolio';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
    RETURN NULL;
  END IF;
  IF (SELECT pg_has_role(p_login, d.datdba, 'MEMBER')
        FROM pg_database d WHERE d.datname = current_database()) THEN
    RETURN 'owner';
  END IF;
  SELECT m.access INTO v_access FROM team_member m WHERE m.login = p_login AND m.active;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', p_login);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', p_login);
  IF v_access IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', p_login);
  IF v_access = 'viewer' THEN
    RETURN v_access;
  END IF;
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', p_login);
  FOR v_table IN
    SELECT tablename FROM pg_tables
     WHERE schemaname = 'public'
       AND tablename NOT IN ('alembic_version', 'journal_entry', 'journal_change')
       AND (v_access = 'manager' OR tablename <> ALL (v_manager_tables))
  LOOP
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO %I', v_table, p_login);
  END LOOP;
  EXECUTE format('GRANT INSERT ON journal_entry, journal_change TO %I', p_login);
  EXECUTE format('GRANT UPDATE (undone_by_id) ON journal_entry TO %I', p_login);
  RETURN v_access;
END
$$;

-- Every login's grants again (after an upgrade added tables).
CREATE OR REPLACE FUNCTION portfolio_sync_all_grants() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_login text;
BEGIN
  FOR v_login IN SELECT m.login FROM team_member m WHERE m.login IS NOT NULL LOOP
    PERFORM portfolio_sync_grants(v_login);
  END LOOP;
END
$$;
"""

CLIENT_OF = """
CREATE OR REPLACE FUNCTION portfolio_client_of(p_table text, p_row jsonb) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  CASE p_table
{cases}
    ELSE
      RETURN NULL;
  END CASE;
END
$$;
"""


def _client_of() -> str:
    cases = []
    for table, _what, via in CLIENT_TABLES:
        expression = _client_expression(via, "(p_row->>'{}')::integer")
        cases.append(f"    WHEN '{table}' THEN\n      RETURN {expression};")
    return CLIENT_OF.format(cases="\n".join(cases))


def upgrade() -> None:
    # A plain ADD COLUMN with its CHECK, not batch mode (which would rebuild the table
    # clients refer to on SQLite; see 0003).
    check = "access IN (" + ", ".join(f"'{v}'" for v in ACCESS_VALUES) + ")"
    op.execute(
        "ALTER TABLE team_member ADD COLUMN access VARCHAR(16) "
        f"CONSTRAINT ck_team_member_access_valid CHECK ({check})"
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)
    op.execute(_client_of())
    op.execute(GRANTS.replace("{manager_tables}", ", ".join(f"'{t}'" for t in MANAGER_TABLES)))
    op.execute(
        "CREATE TRIGGER portfolio_guard BEFORE INSERT OR UPDATE OR DELETE ON client "
        "FOR EACH ROW EXECUTE FUNCTION portfolio_guard_client()"
    )
    _row_security("client", "portfolio_may_write_book(director_id, rep_id)")
    for table, what, via in CLIENT_TABLES:
        op.execute(
            f"CREATE TRIGGER portfolio_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION portfolio_guard('{what}')"
        )
        _row_security(table, f"portfolio_may_write({_client_expression(via, '{}')})")
    op.execute(
        "CREATE TRIGGER portfolio_journal_entry BEFORE INSERT ON journal_entry "
        "FOR EACH ROW EXECUTE FUNCTION portfolio_journal_entry()"
    )
    op.execute(
        "CREATE TRIGGER portfolio_journal_announce AFTER INSERT ON journal_entry "
        "FOR EACH ROW EXECUTE FUNCTION portfolio_journal_announce()"
    )


def _row_security(table: str, may_write: str) -> None:
    """Reads are open to every login with access (roll-ups need the whole team's
    figures); writes stay in the login's book. Updates and deletes see every row so
    the guard trigger can refuse in words instead of skipping rows silently."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY portfolio_read ON {table} FOR SELECT USING (true)")
    op.execute(f"CREATE POLICY portfolio_add ON {table} FOR INSERT WITH CHECK ({may_write})")
    op.execute(
        f"CREATE POLICY portfolio_change ON {table} FOR UPDATE USING (true) "
        f"WITH CHECK ({may_write})"
    )
    op.execute(f"CREATE POLICY portfolio_remove ON {table} FOR DELETE USING (true)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("client", *(t for t, _w, _e in CLIENT_TABLES)):
            op.execute(f"DROP TRIGGER IF EXISTS portfolio_guard ON {table}")
            for policy in ("read", "add", "change", "remove"):
                op.execute(f"DROP POLICY IF EXISTS portfolio_{policy} ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP TRIGGER IF EXISTS portfolio_journal_entry ON journal_entry")
        op.execute("DROP TRIGGER IF EXISTS portfolio_journal_announce ON journal_entry")
        for function in (
            "portfolio_sync_all_grants()",
            "portfolio_sync_grants(text)",
            "portfolio_journal_announce()",
            "portfolio_journal_entry()",
            "portfolio_guard()",
            "portfolio_guard_client()",
            "portfolio_refuse(text)",
            "portfolio_budget_locked_year()",
            "portfolio_refusal(integer, text)",
            "portfolio_client_of(text, jsonb)",
            "portfolio_may_write(integer)",
            "portfolio_may_write_book(integer, integer)",
            "portfolio_member()",
            "portfolio_access()",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    # The CHECK belongs to the column, so both backends drop it with the column.
    op.execute("ALTER TABLE team_member DROP COLUMN access")
