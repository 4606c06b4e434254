"""Who may do what on a team server: managers, directors, reps and viewers.

A team member's ``access`` (``portfolio.model.vocab.ACCESS``) says what their login may
do; on PostgreSQL the server enforces it (grants, row-level security and a guard
trigger per table, migration 0005), so the app, the command line and ``psql`` are held
to the same rule:

* **manager**: everything, including the team, the settings and the reference data;
* **director**: their book (the clients they direct and everything under them); they
  read the rest of the team's figures, so roll-ups are whole;
* **rep**: the clients they are assigned to; they cannot delete clients, nor change the
  budgets of a year locked by the ``budget_locked_year`` setting;
* **viewer**: reads everything, changes nothing.

The database owner (who made the portfolio and runs upgrades) may do everything. On an
SQLite file the access is recorded but not enforced: a file has no logins.

``logins`` adds, changes and removes logins (``portfolio team add-login`` ...);
``refusals`` turns the server's refusals into words for the person.
"""
