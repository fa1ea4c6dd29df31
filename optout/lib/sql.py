"""SQL the ORM cannot say, written so the ORM can still place it in any query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Expression, Field, Model


class TableSQL(Expression):
    """A fragment of SQL about the query's own table, written with ``{table}`` for it.

    Unlike ``RawSQL``, which must name the table, the fragment follows the table's alias:
    in a subquery Django renames the table (``U0``), and a fragment naming
    ``catalog_recording`` there would refer to the outer query's row instead — a
    correlated subquery that runs once per outer row. Parameters are bound, never
    formatted into the text.
    """

    def __init__(self, sql: str, params: tuple[Any, ...] = (), *, output_field: Field[Any, Any]):
        super().__init__(output_field=output_field)
        self.sql = sql
        self.params = params
        self.alias: str | None = None

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.sql!r}, {self.params!r})"

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> TableSQL:
        resolved = self.copy()
        resolved.alias = query.get_initial_alias() if query is not None else None
        return resolved

    def relabeled_clone(self, change_map: Mapping[str, str]) -> TableSQL:
        clone = self.copy()
        if self.alias is not None:
            clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if self.alias is None:
            raise ValueError("TableSQL must be resolved against a query before it is compiled.")
        table = compiler.quote_name_unless_alias(self.alias)
        return f"({self.sql.format(table=table)})", list(self.params)

    def get_group_by_cols(self) -> list[Any]:
        return [self]


@cache
def _select_list(
    models: tuple[tuple[type[Model], str], ...],
) -> tuple[str, tuple[list[tuple[str, Any, list[Any]]], ...]]:
    """The SELECT list of ``models`` and, per model, each column's attribute name, its
    expression and the converters the ORM would apply to its value (SQLite hands out
    datetimes as naive text, JSON columns arrive as text...)."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    per_model = []
    for model, alias in models:
        fields = []
        for field in model._meta.concrete_fields:
            columns.append(f"{alias}.{quote(field.column)}")
            expression = field.get_col(alias)
            converters = connection.ops.get_db_converters(expression)
            converters += field.get_db_converters(connection)  # type: ignore[attr-defined]
            fields.append((field.attname, expression, converters))
        per_model.append(fields)
    return ", ".join(columns), tuple(per_model)


def fetch_one_as_models(
    *models: tuple[type[Model], str], joined: str, params: Sequence[Any]
) -> tuple[Any, ...] | None:
    """One row of a hand-written join, as an instance of each model: ``models`` are
    ``(Model, alias)`` pairs naming the tables in ``joined`` (the SQL after ``FROM``).

    For the few queries every request makes (its API token, its label membership), where
    the ORM spends several times the database's own time composing the SQL. The columns
    and their conversions still come from the models, so a new field is read without a
    change here.
    """
    select, per_model = _select_list(models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {joined}", list(params))  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    values = iter(row)
    for (model, _alias), fields in zip(models, per_model, strict=True):
        converted = []
        for (_name, expression, converters), value in zip(fields, values, strict=False):
            for converter in converters:
                value = converter(value, expression, connection)
            converted.append(value)
        names = [name for name, _expression, _converters in fields]
        instances.append(model.from_db(connection.alias, names, converted))
    return tuple(instances)
