"""Which sheet holds which records, and which column holds which field.

A sheet is matched to a kind of record by its title (Portfolio's own sheet names and
their obvious variants) or else by its headers. Headers are matched ignoring case,
spacing, underscores and a trailing "(USD)", against the field labels and aliases of
``portfolio.editing``: the headers Portfolio writes are always understood, and so are
the usual variants people type. Rows are identified by natural keys: a client by its
name, a campaign by client and campaign name, a budget line by client, campaign and
month, an opportunity by client and opportunity name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from portfolio.editing import EntitySpec, entity
from portfolio.errors import PortfolioError

#: Header rows are looked for among the first rows of a sheet (titles may sit above).
HEADER_SEARCH_ROWS = 20


class SheetLayoutError(PortfolioError):
    pass


def normal(text: object) -> str:
    """``" Spend_Budget (USD) "`` -> ``"spend budget"``."""
    value = re.sub(r"\s*\([^)]*\)\s*$", "", str(text or ""))
    value = re.sub(r"[_\-:*]+", " ", value.replace("\n", " "))
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Role:
    """What a column is for: a ``field`` of the record, part of its ``key`` (the client
    or campaign it belongs to, by name), or ``context`` shown beside it (currency, row
    version) that is checked but not stored."""

    kind: str
    name: str


@dataclass(frozen=True)
class Target:
    entity: str
    #: Sheet titles (normalised) that name this kind of record.
    titles: tuple[str, ...]
    #: The natural key: parents by name ("client", "campaign") and own fields.
    key: tuple[str, ...]
    #: Headers shown for context on Portfolio's sheets and accepted silently.
    context: tuple[tuple[str, Role], ...] = ()

    @property
    def spec(self) -> EntitySpec:
        return entity(self.entity)

    @property
    def parent_field(self) -> str | None:
        return self.spec.parent if self.entity != "client" else None

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields a sheet may set: editable ones, less the parent found by name."""
        return tuple(
            spec.name
            for spec in self.spec.fields
            if spec.editable and spec.name != self.parent_field
        )

    def key_roles(self) -> tuple[Role, ...]:
        return tuple(
            Role("key", part) if part in ("client", "campaign") else Role("field", part)
            for part in self.key
        )

    def candidates(self) -> dict[str, Role]:
        """Normalised header -> role."""
        found: dict[str, Role] = {}
        for part in self.key:
            if part in ("client", "campaign"):
                name_field = entity(part).field("name")
                for text in (name_field.label, *name_field.aliases, f"{part} name"):
                    found[normal(text)] = Role("key", part)
        for name in self.fields:
            spec = self.spec.field(name)
            for text in (spec.label, name.replace("_", " "), *spec.aliases):
                found.setdefault(normal(text), Role("field", name))
        for text, role in self.context:
            found.setdefault(normal(text), role)
        return found


VERSION = Role("context", "version")
CURRENCY = Role("context", "currency")
SHOWN = Role("context", "shown")
_SHARED_CONTEXT = (("Row version", VERSION), ("Version", VERSION))

TARGETS: dict[str, Target] = {
    target.entity: target
    for target in (
        Target("client", ("clients", "client", "accounts"), ("name",), _SHARED_CONTEXT),
        Target(
            "campaign",
            ("campaigns", "campaign", "programs"),
            ("client", "name"),
            _SHARED_CONTEXT,
        ),
        Target(
            "budget_line",
            ("budget lines", "budget line", "budget", "budgets"),
            ("client", "campaign", "month"),
            (
                *_SHARED_CONTEXT,
                ("Currency", CURRENCY),
                ("Account director", SHOWN),
                ("Director", SHOWN),
                ("Vertical", SHOWN),
            ),
        ),
        Target(
            "opportunity",
            ("opportunities", "opportunity", "pipeline"),
            ("client", "name"),
            (*_SHARED_CONTEXT, ("Currency", CURRENCY)),
        ),
    )
}
#: Apply order: parents before the records that name them.
ORDER = ("client", "campaign", "budget_line", "opportunity")
#: Sheets Portfolio writes that are reports, not records to read back.
REPORT_TITLES = {
    "summary": "a report",
    "variance": "a report worked out from the budget lines",
    "requests": "requests have no natural key to match rows by",
    "deadlines": "deadlines have no natural key to match rows by",
}


@dataclass(frozen=True)
class ColumnMap:
    target: Target
    header_row: int
    #: Column index (0-based) -> role, and the header text as written.
    roles: dict[int, Role]
    headers: dict[int, str]
    ignored: tuple[str, ...]

    def index_of(self, role: Role) -> int | None:
        return next((i for i, r in self.roles.items() if r == role), None)

    @cached_property
    def field_columns(self) -> tuple[tuple[int, str], ...]:
        return tuple((i, r.name) for i, r in self.roles.items() if r.kind == "field")

    @cached_property
    def other_columns(self) -> dict[str, int]:
        """Key and context columns by name (client, campaign, version, currency)."""
        return {r.name: i for i, r in self.roles.items() if r.kind != "field"}

    @cached_property
    def key_field(self) -> str:
        """The record's own field in its natural key: its name, or a line's month."""
        return "name" if "name" in self.target.key else "month"

    @cached_property
    def field_kinds(self) -> dict[str, str]:
        spec = self.target.spec
        return {name: spec.field(name).kind for _, name in self.field_columns}

    @cached_property
    def money_fields(self) -> frozenset[str]:
        spec = self.target.spec
        return frozenset(n for _, n in self.field_columns if spec.field(n).kind == "money")

    @cached_property
    def text_fields(self) -> tuple[str, ...]:
        """Mapped fields holding text (names, notes)."""
        spec = self.target.spec
        return tuple(
            name for _, name in self.field_columns if spec.field(name).kind in ("text", "longtext")
        )

    @cached_property
    def numeric_fields(self) -> tuple[str, ...]:
        """Mapped fields holding amounts, counts, percentages or rates."""
        spec = self.target.spec
        return tuple(
            name
            for _, name in self.field_columns
            if spec.field(name).kind in ("money", "count", "integer", "percent", "rate")
        )

    @cached_property
    def temporal_fields(self) -> tuple[str, ...]:
        """Mapped fields holding dates or months, which text may spell many ways."""
        spec = self.target.spec
        return tuple(
            name
            for _, name in self.field_columns
            if spec.field(name).kind in ("date", "datetime", "month")
        )

    def header_for_field(self, name: str) -> str:
        for index, role in self.roles.items():
            if role.name == name or (role.kind == "key" and f"{role.name}_id" == name):
                return self.headers[index]
        return self.target.spec.field(name).label


def map_columns(target: Target, header: Sequence[object], row_number: int) -> ColumnMap:
    """Match a header row to ``target``'s fields; refuse two columns for one field."""
    lookup = target.candidates()
    roles: dict[int, Role] = {}
    headers: dict[int, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header):
        if text is None or not str(text).strip():
            continue
        role = lookup.get(normal(text))
        if role is None:
            ignored.append(str(text).strip())
            continue
        if (
            role in roles.values()
            and role.kind != "context"
            or (role == VERSION and VERSION in roles.values())
        ):
            first = headers[next(i for i, r in roles.items() if r == role)]
            raise SheetLayoutError(
                f"columns {first!r} and {str(text).strip()!r} both give "
                f"{_role_label(target, role)}; keep one"
            )
        roles[index] = role
        headers[index] = str(text).strip()
    return ColumnMap(target, row_number, roles, headers, tuple(ignored))


def _role_label(target: Target, role: Role) -> str:
    if role.kind == "field":
        return target.spec.field(role.name).label
    return role.name.capitalize()


def has_key(target: Target, header: Sequence[object]) -> bool:
    lookup = target.candidates()
    present = {lookup.get(normal(text)) for text in header if text is not None}
    return all(role in present for role in target.key_roles())


def key_labels(target: Target) -> str:
    labels = []
    for role in target.key_roles():
        if role.kind == "key":
            labels.append(entity(role.name).field("name").label)
        else:
            labels.append(target.spec.field(role.name).label)
    return " and ".join(labels)


def target_for_title(title: str) -> Target | None:
    wanted = normal(title)
    return next((t for t in TARGETS.values() if wanted in t.titles), None)


def target_for_header(header: Sequence[object]) -> Target | None:
    """The most specific kind of record whose key columns are all in ``header``."""
    for name in ("budget_line", "opportunity", "campaign", "client"):
        target = TARGETS[name]
        if has_key(target, header):
            if name == "client" and not _looks_like_clients(header):
                continue
            return target
    return None


def _looks_like_clients(header: Sequence[object]) -> bool:
    """A client sheet needs more than a column called Client: one of its own fields."""
    lookup = TARGETS["client"].candidates()
    own = {lookup.get(normal(text)) for text in header if text is not None}
    return any(role and role.kind == "field" and role.name != "name" for role in own)
