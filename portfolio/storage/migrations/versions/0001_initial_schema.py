"""Initial schema: every table of the domain, plus currencies, SLA policy and settings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portfolio.money import ISO_4217

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "currency",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("minor_units", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "minor_units BETWEEN 0 AND 4", name=op.f("ck_currency_minor_units_range")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_currency")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "sla_policy",
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("hours_to_resolve", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "priority IN ('critical', 'high', 'normal', 'low')",
            name=op.f("ck_sla_policy_priority_valid"),
        ),
        sa.CheckConstraint("hours_to_resolve > 0", name=op.f("ck_sla_policy_hours_positive")),
        sa.PrimaryKeyConstraint("priority", name=op.f("pk_sla_policy")),
    )
    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "role IN ('manager', 'account_director', 'account_rep')",
            name=op.f("ck_team_member_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["team_member.id"],
            name=op.f("fk_team_member_manager_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
        sa.UniqueConstraint("name", name=op.f("uq_team_member_name")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_manager_id"), ["manager_id"], unique=False)

    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vertical", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("pricing_model", sa.String(length=16), nullable=False),
        sa.Column("compensation_terms", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fiscal_year_start", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "pricing_model IN ('fixed_fee', 'per_piece', 'per_sale', 'revenue_share', 'hybrid')",
            name=op.f("ck_client_pricing_model_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('prospect', 'onboarding', 'active', 'paused', 'churned')",
            name=op.f("ck_client_status_valid"),
        ),
        sa.CheckConstraint(
            "vertical IN ('insurance', 'healthcare_benefits', 'banking', 'election', 'retail', 'other')",
            name=op.f("ck_client_vertical_valid"),
        ),
        sa.CheckConstraint(
            "contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start",
            name=op.f("ck_client_contract_end_after_contract_start"),
        ),
        sa.CheckConstraint(
            "fiscal_year_start BETWEEN 1 AND 12", name=op.f("ck_client_fiscal_year_start_month")
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_client_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currency.code"], name=op.f("fk_client_currency_currency")
        ),
        sa.ForeignKeyConstraint(
            ["director_id"],
            ["team_member.id"],
            name=op.f("fk_client_director_id_team_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["team_member.id"],
            name=op.f("fk_client_rep_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("name", name=op.f("uq_client_name")),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_director_id"), ["director_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_rep_id"), ["rep_id"], unique=False)

    op.create_table(
        "fx_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("currency <> quote", name=op.f("ck_fx_rate_distinct_currencies")),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month - (month / 100) * 100 BETWEEN 1 AND 12",
            name=op.f("ck_fx_rate_month_month"),
        ),
        sa.CheckConstraint("rate > 0", name=op.f("ck_fx_rate_rate_positive")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currency.code"], name=op.f("fk_fx_rate_currency_currency")
        ),
        sa.ForeignKeyConstraint(
            ["quote"], ["currency.code"], name=op.f("fk_fx_rate_quote_currency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint(
            "currency", "quote", "month", name=op.f("uq_fx_rate_currency_quote_month")
        ),
    )
    op.create_table(
        "sales_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "revenue_objective", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month - (month / 100) * 100 BETWEEN 1 AND 12",
            name=op.f("ck_sales_objective_month_month"),
        ),
        sa.CheckConstraint(
            "revenue_objective >= 0", name=op.f("ck_sales_objective_revenue_objective_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currency.code"], name=op.f("fk_sales_objective_currency_currency")
        ),
        sa.ForeignKeyConstraint(
            ["director_id"],
            ["team_member.id"],
            name=op.f("fk_sales_objective_director_id_team_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_objective")),
        sa.UniqueConstraint(
            "director_id", "month", name=op.f("uq_sales_objective_director_id_month")
        ),
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("persistency_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("persistency_months", sa.Integer(), nullable=True),
        sa.Column("post_mortem", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "channel IN ('direct_mail', 'email', 'telemarketing', 'digital', 'print', 'social', 'events')",
            name=op.f("ck_campaign_channel_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'active', 'on_hold', 'completed', 'cancelled')",
            name=op.f("ck_campaign_status_valid"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name=op.f("ck_campaign_end_date_after_start_date"),
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_campaign_name_not_blank")),
        sa.CheckConstraint(
            "persistency_months IS NULL OR persistency_months > 0",
            name=op.f("ck_campaign_persistency_months_pos"),
        ),
        sa.CheckConstraint(
            "persistency_pct IS NULL OR persistency_pct BETWEEN 0 AND 100",
            name=op.f("ck_campaign_persistency_pct_range"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_campaign_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("client_id", "name", name=op.f("uq_campaign_client_id_name")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_campaign_id_client_id")),
    )
    op.create_table(
        "client_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("sla_due_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
            name=op.f("ck_client_request_resolved_when_done"),
        ),
        sa.CheckConstraint(
            "category IN ('billing', 'technical', 'renewal', 'retention', 'service')",
            name=op.f("ck_client_request_category_valid"),
        ),
        sa.CheckConstraint(
            "priority IN ('critical', 'high', 'normal', 'low')",
            name=op.f("ck_client_request_priority_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')",
            name=op.f("ck_client_request_status_valid"),
        ),
        sa.CheckConstraint(
            "escalation_level BETWEEN 0 AND 3",
            name=op.f("ck_client_request_escalation_level_range"),
        ),
        sa.CheckConstraint(
            "length(trim(subject)) > 0", name=op.f("ck_client_request_subject_not_blank")
        ),
        sa.CheckConstraint(
            "resolved_at IS NULL OR opened_at IS NULL OR resolved_at >= opened_at",
            name=op.f("ck_client_request_resolved_at_after_opened_at"),
        ),
        sa.CheckConstraint(
            "sla_due_at IS NULL OR opened_at IS NULL OR sla_due_at >= opened_at",
            name=op.f("ck_client_request_sla_due_at_after_opened_at"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_client_request_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["team_member.id"],
            name=op.f("fk_client_request_owner_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_request")),
    )
    with op.batch_alter_table("client_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_request_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_contact_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("client_id", "name", name=op.f("uq_contact_client_id_name")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_meeting_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_client_id"), ["client_id"], unique=False)

    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('cross_sell', 'up_sell', 'renewal')", name=op.f("ck_opportunity_kind_valid")
        ),
        sa.CheckConstraint(
            "stage IN ('identified', 'qualified', 'proposal', 'negotiation', 'won', 'lost')",
            name=op.f("ck_opportunity_stage_valid"),
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_opportunity_name_not_blank")),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 100", name=op.f("ck_opportunity_probability_range")
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_opportunity_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_opportunity_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["team_member.id"],
            name=op.f("fk_opportunity_owner_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
        sa.UniqueConstraint("client_id", "name", name=op.f("uq_opportunity_client_id_name")),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_client_id"), ["client_id"], unique=False)

    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("spend_budget", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("spend_forecast", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("spend_actual", sa.BigInteger(), nullable=True),
        sa.Column("revenue_budget", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("revenue_forecast", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("revenue_actual", sa.BigInteger(), nullable=True),
        sa.Column("sales_budget", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sales_forecast", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sales_actual", sa.Integer(), nullable=True),
        sa.Column("pieces", sa.Integer(), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month - (month / 100) * 100 BETWEEN 1 AND 12",
            name=op.f("ck_budget_line_month_month"),
        ),
        sa.CheckConstraint("pieces >= 0", name=op.f("ck_budget_line_pieces_not_negative")),
        sa.CheckConstraint("responses >= 0", name=op.f("ck_budget_line_responses_not_negative")),
        sa.CheckConstraint(
            "revenue_actual >= 0", name=op.f("ck_budget_line_revenue_actual_not_negative")
        ),
        sa.CheckConstraint(
            "revenue_budget >= 0", name=op.f("ck_budget_line_revenue_budget_not_negative")
        ),
        sa.CheckConstraint(
            "revenue_forecast >= 0", name=op.f("ck_budget_line_revenue_forecast_not_negative")
        ),
        sa.CheckConstraint(
            "sales_actual >= 0", name=op.f("ck_budget_line_sales_actual_not_negative")
        ),
        sa.CheckConstraint(
            "sales_budget >= 0", name=op.f("ck_budget_line_sales_budget_not_negative")
        ),
        sa.CheckConstraint(
            "sales_forecast >= 0", name=op.f("ck_budget_line_sales_forecast_not_negative")
        ),
        sa.CheckConstraint(
            "spend_actual >= 0", name=op.f("ck_budget_line_spend_actual_not_negative")
        ),
        sa.CheckConstraint(
            "spend_budget >= 0", name=op.f("ck_budget_line_spend_budget_not_negative")
        ),
        sa.CheckConstraint(
            "spend_forecast >= 0", name=op.f("ck_budget_line_spend_forecast_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_budget_line_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint("campaign_id", "month", name=op.f("uq_budget_line_campaign_id_month")),
    )
    op.create_table(
        "campaign_drop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("drop_date", sa.Date(), nullable=False),
        sa.Column("pieces", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("pieces >= 0", name=op.f("ck_campaign_drop_pieces_not_negative")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_drop_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_drop")),
        sa.UniqueConstraint(
            "campaign_id", "drop_date", name=op.f("uq_campaign_drop_campaign_id_drop_date")
        ),
    )
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "legally_required", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id", "client_id"],
            ["campaign.id", "campaign.client_id"],
            name="fk_deadline_campaign_of_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_deadline_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["team_member.id"],
            name=op.f("fk_deadline_owner_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline")),
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_due_date"), ["due_date"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10)",
            name=op.f("ck_feedback_score_in_scale"),
        ),
        sa.CheckConstraint("kind IN ('csat', 'nps')", name=op.f("ck_feedback_kind_valid")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_feedback_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_feedback_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_client_id"), ["client_id"], unique=False)

    op.create_table(
        "makeup_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("action_type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("target_month", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "action_type IN ('extra_drop', 'new_channel', 'repriced_offer', 'spend_cut', 'other')",
            name=op.f("ck_makeup_action_action_type_valid"),
        ),
        sa.CheckConstraint(
            "measure IN ('spend', 'revenue', 'sales')", name=op.f("ck_makeup_action_measure_valid")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_makeup_action_status_valid"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_makeup_action_amount_positive")),
        sa.CheckConstraint(
            "length(trim(description)) > 0", name=op.f("ck_makeup_action_description_not_blank")
        ),
        sa.CheckConstraint(
            "target_month BETWEEN 190001 AND 299912 AND target_month - (target_month / 100) * 100 BETWEEN 1 AND 12",
            name=op.f("ck_makeup_action_target_month_month"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id", "client_id"],
            ["campaign.id", "campaign.client_id"],
            name="fk_makeup_action_campaign_of_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_makeup_action_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["team_member.id"],
            name=op.f("fk_makeup_action_owner_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_makeup_action")),
    )
    with op.batch_alter_table("makeup_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_makeup_action_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_makeup_action_client_id"), ["client_id"], unique=False)

    op.create_table(
        "material_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('needed', 'approved', 'ordered', 'received')",
            name=op.f("ck_material_item_status_valid"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_material_item_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadline.id"],
            name=op.f("fk_material_item_deadline_id_deadline"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_item")),
        sa.UniqueConstraint("deadline_id", "name", name=op.f("uq_material_item_deadline_id_name")),
    )

    _seed()


def _seed() -> None:
    currency = sa.table("currency", sa.column("code"), sa.column("minor_units"))
    op.bulk_insert(
        currency,
        [{"code": code, "minor_units": digits} for code, digits in sorted(ISO_4217.items())],
    )
    sla = sa.table("sla_policy", sa.column("priority"), sa.column("hours_to_resolve"))
    op.bulk_insert(
        sla,
        [
            {"priority": "critical", "hours_to_resolve": 4},
            {"priority": "high", "hours_to_resolve": 24},
            {"priority": "normal", "hours_to_resolve": 72},
            {"priority": "low", "hours_to_resolve": 168},
        ],
    )
    setting = sa.table("setting", sa.column("key"), sa.column("value"))
    op.bulk_insert(
        setting,
        [
            {"key": "application", "value": "portfolio"},
            {"key": "base_currency", "value": "USD"},
        ],
    )


def downgrade() -> None:
    op.drop_table("material_item")
    with op.batch_alter_table("makeup_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_makeup_action_client_id"))
        batch_op.drop_index(batch_op.f("ix_makeup_action_campaign_id"))

    op.drop_table("makeup_action")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_client_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_due_date"))
        batch_op.drop_index(batch_op.f("ix_deadline_client_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_campaign_id"))

    op.drop_table("deadline")
    op.drop_table("campaign_drop")
    op.drop_table("budget_line")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_client_id"))

    op.drop_table("opportunity")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_client_id"))

    op.drop_table("meeting")
    op.drop_table("contact")
    with op.batch_alter_table("client_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_request_client_id"))

    op.drop_table("client_request")
    op.drop_table("campaign")
    op.drop_table("sales_objective")
    op.drop_table("fx_rate")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_rep_id"))
        batch_op.drop_index(batch_op.f("ix_client_director_id"))

    op.drop_table("client")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_manager_id"))

    op.drop_table("team_member")
    op.drop_table("sla_policy")
    op.drop_table("setting")
    op.drop_table("currency")
