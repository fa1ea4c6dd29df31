"""SQL the ORM cannot say, written so the ORM can still place it in any query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Expression, Field


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
