"""Create, change, duplicate and delete records, validated by the core.

Every change goes through here: the desktop app's cells and dialogs, the importers and
tests. Values are parsed by their field's kind (``portfolio.editing.fields``), checked
against the record's rules and against the data already stored (natural keys, roles,
parents), and only then flushed. A refusal raises ``ValidationError`` naming the field;
the caller's transaction is then rolled back so nothing stored changes.

The caller owns the transaction: one user action (``portfolio.actions``, which also
checks what others changed since the user read a record and journals the change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portfolio.editing.entities import EntitySpec, entity
from portfolio.editing.fields import FieldSpec, is_blank, parse_money, parse_plain
from portfolio.errors import ConflictError, NotFoundError, ValidationError
from portfolio.model import (
    Campaign,
    Client,
    Deadline,
    SlaPolicy,
    TeamMember,
)
from portfolio.model.base import Base
from portfolio.model.vocab import ROLE
from portfolio.money import from_minor


@dataclass(frozen=True)
class ParseOptions:
    """How to read ambiguous text: importers set these from the file or the user."""

    #: ``True`` comma, ``False`` point, ``None`` unknown: the text must show it.
    decimal_comma: bool | None = False


def record_of(row: Base, spec: EntitySpec) -> dict[str, Any]:
    return {name: getattr(row, name) for name in spec.field_names}


def currency_of(session: Session, spec: EntitySpec, record: dict[str, Any]) -> str | None:
    """The currency money fields of ``record`` are in: the owning client's, usually."""
    if "currency" in spec.field_names:
        return record.get("currency")
    if record.get("client_id") is not None:
        return session.scalar(select(Client.currency).where(Client.id == record["client_id"]))
    if record.get("campaign_id") is not None:
        return session.scalar(
            select(Client.currency)
            .join(Campaign, Campaign.client_id == Client.id)
            .where(Campaign.id == record["campaign_id"])
        )
    if record.get("deadline_id") is not None:
        return session.scalar(
            select(Client.currency)
            .join(Deadline, Deadline.client_id == Client.id)
            .where(Deadline.id == record["deadline_id"])
        )
    return None


def _person(session: Session, spec: FieldSpec, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        row = session.get(TeamMember, value)
    else:
        name = " ".join(str(value).split())
        row = session.scalars(select(TeamMember).where(TeamMember.name == name)).first()
        if row is None:
            row = next(
                (
                    member
                    for member in session.scalars(select(TeamMember))
                    if member.name.casefold() == name.casefold()
                ),
                None,
            )
    if row is None:
        raise spec.refuse(f"no team member {value!r}")
    if spec.role and row.role != spec.role:
        raise spec.refuse(f"{row.name} is not an {ROLE.label(spec.role).lower()}")
    return row.id


def _reference(session: Session, spec: FieldSpec, value: Any) -> int:
    target = entity(spec.refers_to or "")
    if isinstance(value, int) and not isinstance(value, bool):
        if session.get(target.model, value) is None:
            raise spec.refuse(f"no {target.label.lower()} with id {value}")
        return value
    if target.name == "client":
        name = " ".join(str(value).split())
        found = session.scalar(select(Client.id).where(Client.name == name))
        if found is None:
            raise spec.refuse(f"no client named {value!r}")
        return found
    raise spec.refuse(f"{value!r} is not a {target.label.lower()}")


def parse_record(
    session: Session,
    spec: EntitySpec,
    raw: dict[str, Any],
    *,
    base: dict[str, Any] | None = None,
    options: ParseOptions = ParseOptions(),
    currency: str | None = None,
) -> tuple[dict[str, Any], list[ValidationError]]:
    """Parse the fields in ``raw``; return the parsed values and every error found.

    ``base`` is the stored record being changed (for the currency of money fields and
    for rules that span fields). Importers use this directly to report all of a row's
    problems at once; ``create`` and ``update`` raise the first. ``currency`` is the
    currency of the record's money when the caller already knows it (an importer
    resolves it for thousands of rows at once); otherwise it is looked up.
    """
    parsed: dict[str, Any] = {}
    errors: list[ValidationError] = []
    unknown = set(raw) - set(spec.field_names)
    if unknown:
        raise KeyError(f"{spec.name} has no field(s) {', '.join(sorted(unknown))}")
    # Context fields first: the currency of money depends on the client or campaign.
    ordered = sorted(spec.fields, key=lambda f: f.kind == "money")
    for field_spec in ordered:
        if field_spec.name not in raw:
            continue
        value = raw[field_spec.name]
        try:
            if is_blank(value):
                if field_spec.required:
                    raise field_spec.refuse("is required")
                parsed[field_spec.name] = None
                continue
            if field_spec.kind == "person":
                parsed[field_spec.name] = _person(session, field_spec, value)
            elif field_spec.kind == "reference":
                parsed[field_spec.name] = _reference(session, field_spec, value)
            elif field_spec.kind == "money":
                money_currency = currency or currency_of(session, spec, {**(base or {}), **parsed})
                if money_currency is None:
                    raise field_spec.refuse("cannot be read before the record's currency is known")
                minor = parse_money(
                    value, money_currency, field_spec, decimal_comma=options.decimal_comma
                )
                if field_spec.minimum is not None and minor < field_spec.minimum:
                    raise field_spec.refuse(
                        "cannot be negative" if field_spec.minimum == 0 else "must be more than 0"
                    )
                parsed[field_spec.name] = minor
            else:
                parsed[field_spec.name] = parse_plain(
                    field_spec, value, decimal_comma=options.decimal_comma
                )
        except ValidationError as error:
            error.entity = spec.name
            errors.append(error)
    return parsed, errors


def _check_record(
    session: Session,
    spec: EntitySpec,
    record: dict[str, Any],
    row_id: int | None,
    changed: set[str] | None = None,
):
    """Rules across fields, the natural key and a campaign's client; ``changed`` (an
    update's fields) skips the look-ups its fields cannot affect (each is a round trip
    to a server)."""
    for rule in spec.rules:
        for name, message in rule(record):
            raise ValidationError(name, message, label=spec.field(name).label, entity=spec.name)
    key_moved = changed is None or not changed.isdisjoint(spec.natural_key)
    if (
        spec.natural_key
        and key_moved
        and all(record.get(name) is not None for name in spec.natural_key)
    ):
        model = spec.model
        query = select(model.id).where(
            *(getattr(model, name) == record[name] for name in spec.natural_key)
        )
        if row_id is not None:
            query = query.where(model.id != row_id)
        if session.scalar(query.limit(1)) is not None:
            last = spec.natural_key[-1]
            shown = record[last]
            where = "" if len(spec.natural_key) == 1 else f" for this {_parent_label(spec)}"
            raise ValidationError(
                last,
                f"{spec.label.lower()} {shown!r} already exists{where}",
                label=spec.field(last).label,
                entity=spec.name,
            )
    owner_moved = changed is None or not changed.isdisjoint(("campaign_id", "client_id"))
    if owner_moved and record.get("campaign_id") is not None and "client_id" in record:
        owner = session.scalar(
            select(Campaign.client_id).where(Campaign.id == record["campaign_id"])
        )
        if owner != record["client_id"]:
            raise ValidationError(
                "campaign_id",
                "that campaign belongs to another client",
                label="Campaign",
                entity=spec.name,
            )


def _parent_label(spec: EntitySpec) -> str:
    if spec.parent is None:
        return "record"
    return spec.field(spec.parent).label.lower()


def _derive(session: Session, spec: EntitySpec, record: dict[str, Any], changed: set[str]) -> None:
    """Fill the fields that follow from others (SLA due time, starting forecasts)."""
    if spec.name == "client_request" and changed & {"priority", "opened_at"}:
        hours = session.scalar(
            select(SlaPolicy.hours_to_resolve).where(SlaPolicy.priority == record["priority"])
        )
        record["sla_due_at"] = record["opened_at"] + dt.timedelta(hours=hours or 72)
    if spec.name == "client" and record.get("fiscal_year_start") is None:
        record["fiscal_year_start"] = 1
    if spec.name == "team_member" and record.get("active") is None:
        record["active"] = True


def _first(errors: list[ValidationError]) -> None:
    if errors:
        raise errors[0]


def _flush(session: Session, spec: EntitySpec) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"This {spec.label.lower()} was changed by someone else; reload and try again"
        ) from None
    except IntegrityError as error:
        raise _integrity_message(spec, error) from None


def _integrity_message(spec: EntitySpec, error: IntegrityError) -> ValidationError:
    """Turn a constraint the database enforced into a message naming the field."""
    text = str(error.orig)
    diag = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or text
    for field_spec in spec.fields:
        if field_spec.name in name:
            return ValidationError(
                field_spec.name,
                f"refused by the database ({text.splitlines()[0]})",
                label=field_spec.label,
                entity=spec.name,
            )
    return ValidationError(
        spec.name,
        f"refused by the database ({text.splitlines()[0]})",
        label=spec.label,
        entity=spec.name,
    )


def create(
    session: Session,
    entity_name: str,
    values: dict[str, Any],
    *,
    options: ParseOptions = ParseOptions(),
) -> Base:
    """Add a new record from ``values`` (field name -> typed or text value)."""
    spec = entity(entity_name)
    parsed, errors = parse_record(session, spec, values, options=options)
    for field_spec in spec.fields:
        if field_spec.required and parsed.get(field_spec.name) is None and field_spec.editable:
            already = any(error.field == field_spec.name for error in errors)
            if not already:
                errors.append(
                    ValidationError(
                        field_spec.name, "is required", label=field_spec.label, entity=spec.name
                    )
                )
    _first(errors)
    if spec.name == "budget_line":
        for measure in ("spend", "revenue", "sales"):
            parsed.setdefault(f"{measure}_budget", 0)
            if parsed.get(f"{measure}_budget") is None:
                parsed[f"{measure}_budget"] = 0
            if parsed.get(f"{measure}_forecast") is None:
                parsed[f"{measure}_forecast"] = parsed[f"{measure}_budget"]
    _derive(session, spec, parsed, set(parsed))
    _check_record(session, spec, parsed, None)
    row = spec.model(**parsed)
    session.add(row)
    _flush(session, spec)
    return row


def load(session: Session, entity_name: str, row_id: int) -> Base:
    spec = entity(entity_name)
    row = session.get(spec.model, row_id)
    if row is None:
        raise NotFoundError(f"{spec.label} {row_id} no longer exists")
    return row


def update(
    session: Session,
    entity_name: str,
    row_id: int,
    changes: dict[str, Any],
    *,
    options: ParseOptions = ParseOptions(),
    currency: str | None = None,
) -> dict[str, Any]:
    """Change fields of one record; return the previous values of what changed.

    ``currency`` is the currency of the record's money when the caller already read it
    (the action layer names the record with its client, and so its currency); it is used
    only when the change does not move the record to another client.
    """
    spec = entity(entity_name)
    row = load(session, entity_name, row_id)
    for name in changes:
        if not spec.field(name).editable:
            raise ValidationError(
                name,
                "is worked out by Portfolio and cannot be edited",
                label=spec.field(name).label,
                entity=spec.name,
            )
    current = record_of(row, spec)
    if not set(changes).isdisjoint(("client_id", "campaign_id", "deadline_id", "currency")):
        currency = None
    parsed, errors = parse_record(
        session, spec, changes, base=current, options=options, currency=currency
    )
    _first(errors)
    merged = {**current, **parsed}
    _derive(session, spec, merged, set(parsed))
    _check_record(session, spec, merged, row_id, set(parsed))
    previous = {name: current[name] for name in merged if merged[name] != current[name]}
    for name in previous:
        setattr(row, name, merged[name])
    _flush(session, spec)
    return previous


def delete(session: Session, entity_name: str, row_id: int) -> dict[str, Any]:
    """Delete one record (its dependants go with it); return its values."""
    spec = entity(entity_name)
    row = load(session, entity_name, row_id)
    values = record_of(row, spec)
    session.delete(row)
    _flush(session, spec)
    return values


def deletion_impact(session: Session, entity_name: str, row_id: int) -> list[tuple[str, int]]:
    """What else a delete removes, as (plural label, count): for the confirmation text."""
    spec = entity(entity_name)
    counts: list[tuple[str, int]] = []
    for table in spec.cascades:
        child = next(s for s in _all_specs() if s.model.__tablename__ == table)
        model = child.model
        if entity_name == "client" and table == "budget_line":
            query = (
                select(func.count())
                .select_from(model)
                .join(Campaign, Campaign.id == model.campaign_id)
                .where(Campaign.client_id == row_id)
            )
        else:
            key = f"{entity_name}_id"
            if key not in inspect(model).columns:
                continue
            query = select(func.count()).select_from(model).where(getattr(model, key) == row_id)
        count = session.scalar(query) or 0
        if count:
            counts.append((child.plural.lower(), count))
    return counts


def deletion_message(session: Session, entity_name: str, row_id: int) -> str:
    spec = entity(entity_name)
    row = load(session, entity_name, row_id)
    name = getattr(row, "name", None) or getattr(row, "title", None) or f"#{row_id}"
    impact = deletion_impact(session, entity_name, row_id)
    if not impact:
        return f"Delete {spec.label.lower()} {name!r}?"
    parts = [f"{count:,} {label}" for label, count in impact]
    listing = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Deleting this {spec.label.lower()} ({name}) also removes {listing}."


def duplicate(session: Session, entity_name: str, row_id: int) -> Base:
    """A copy of a record under a free name ("… (copy)", "… (copy 2)")."""
    spec = entity(entity_name)
    values = record_of(load(session, entity_name, row_id), spec)
    values = {k: v for k, v in values.items() if spec.field(k).editable}
    key = next((name for name in ("name", "title") if name in values), None)
    if key is not None:
        base = values[key]
        candidate, number = f"{base} (copy)", 2
        while True:
            try:
                return create(session, entity_name, {**values, key: candidate})
            except ValidationError as error:
                if error.field != key:
                    raise
                candidate, number = f"{base} (copy {number})", number + 1
    if spec.name == "budget_line":
        raise ValidationError(
            "month", "a campaign has one line per month; add the next month instead"
        )
    return create(session, entity_name, values)


def _all_specs() -> list[EntitySpec]:
    from portfolio.editing.entities import ENTITIES

    return list(ENTITIES.values())


def as_input(
    session: Session, spec: EntitySpec, row_id: int, stored: dict[str, Any]
) -> dict[str, Any]:
    """Stored values of a record as ``update`` takes them: money back in major units.

    Fields Portfolio works out itself (an SLA due time) are left out; ``update`` derives
    them again from the fields they follow.
    """
    money = [name for name in stored if spec.field(name).kind == "money"]
    currency = None
    if money:
        row = session.get(spec.model, row_id)
        record = record_of(row, spec) if row is not None else dict(stored)
        currency = currency_of(session, spec, {**record, **stored})
    values: dict[str, Any] = {}
    for name, value in stored.items():
        field_spec = spec.field(name)
        if not field_spec.editable:
            continue
        if field_spec.kind == "money" and value is not None and currency is not None:
            values[name] = from_minor(value, currency)
        else:
            values[name] = value
    return values
