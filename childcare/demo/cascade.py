"""Deleting many rows with their dependants in a few set-based statements.

Django's ``QuerySet.delete()`` follows ``on_delete`` by loading every dependent row into
Python; for a synthetic city of two million rows that takes minutes. ``delete_cascading``
follows the same ``on_delete`` rules model by model instead: the doomed primary keys of each
model are collected in a temporary table (a relation is followed again only when its source
gained rows, so cycles end), references from surviving rows are set to NULL where the field
says SET_NULL, and every model's doomed rows go in one DELETE. Foreign keys are deferred
(Django creates them so), so the order of the DELETEs does not matter within the transaction.
"""

from django.db import connection, models
from django.db.models import F
from django.db.models.deletion import get_candidate_relations_to_delete


class ProtectedRows(Exception):
    """Rows outside the deletion still reference rows it would remove."""


def delete_cascading(roots: list[models.QuerySet]) -> dict[str, int]:
    """Delete the rows of ``roots`` and everything that cascades from them; rows per table.

    Run it in a transaction (``transaction.atomic``). ``on_delete`` CASCADE deletes, SET_NULL
    clears the reference, DO_NOTHING leaves it to the database; any other rule (PROTECT,
    RESTRICT, SET_DEFAULT, SET(...)) raises ``ProtectedRows`` when a surviving row is affected.
    """
    doomed = _Doomed()
    try:
        for queryset in roots:
            doomed.add(queryset.model, *queryset.values(candidate=F("pk")).query.sql_with_params())
        followed: dict[object, int] = {}  # relation -> its source's size when last followed
        changed = True
        while changed:
            changed = False
            for model in list(doomed.sizes):
                for relation in get_candidate_relations_to_delete(model._meta):
                    if (
                        relation.on_delete is not models.CASCADE
                        or followed.get(relation) == doomed.sizes[model]
                    ):
                        continue
                    followed[relation] = doomed.sizes[model]
                    related = relation.related_model
                    sql = (
                        f"SELECT {_pk(related)} AS candidate FROM {_table(related)} "  # noqa: S608
                        f"WHERE {_column(relation)} IN ({doomed.pks(model)})"
                    )
                    changed |= doomed.add(related, sql, ()) > 0
        doomed.analyze()
        for model in doomed.sizes:
            for relation in get_candidate_relations_to_delete(model._meta):
                _clear_references(doomed, model, relation)
        counts = {}
        with connection.cursor() as cursor:
            for model in doomed.sizes:
                cursor.execute(f"DELETE FROM {_table(model)} WHERE {_pk(model)} IN ({doomed.pks(model)})")  # noqa: S608
                counts[model._meta.db_table] = cursor.rowcount
        return counts
    finally:
        doomed.drop()


class _Doomed:
    """One temporary table of primary keys per model; ``sizes`` counts them."""

    def __init__(self):
        self.sizes: dict[type[models.Model], int] = {}

    def table(self, model: type[models.Model]) -> str:
        return connection.ops.quote_name(f"doomed_{model._meta.db_table}")

    def pks(self, model: type[models.Model]) -> str:
        return f"SELECT pk FROM {self.table(model)}"  # noqa: S608

    def add(self, model: type[models.Model], sql: str, params) -> int:
        """Add the pks ``sql`` selects (as ``candidate``) to ``model``'s set; returns how many were new."""
        model = model._meta.concrete_model
        table = self.table(model)
        with connection.cursor() as cursor:
            if model not in self.sizes:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                pk_type = model._meta.pk.rel_db_type(connection)
                cursor.execute(f"CREATE TEMPORARY TABLE {table} (pk {pk_type} PRIMARY KEY)")
                self.sizes[model] = 0
            # Names come from the models; values are the compiled query's own parameters.
            cursor.execute(
                f"INSERT INTO {table} (pk) SELECT DISTINCT found.candidate FROM ({sql}) found "  # noqa: S608
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} known WHERE known.pk = found.candidate)",
                params,
            )
            self.sizes[model] += cursor.rowcount
            return cursor.rowcount

    def analyze(self) -> None:
        """Give the planner the sets' sizes: the DELETEs join them with large tables."""
        with connection.cursor() as cursor:
            for model in self.sizes:
                cursor.execute(f"ANALYZE {self.table(model)}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for model in self.sizes:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table(model)}")


def _clear_references(doomed: _Doomed, model: type[models.Model], relation) -> None:
    """Apply ``relation``'s on_delete rule to the surviving rows that reference doomed ones."""
    if relation.on_delete in (models.CASCADE, models.DO_NOTHING):
        return
    related = relation.related_model._meta.concrete_model
    surviving = f"{_column(relation)} IN ({doomed.pks(model)})"
    if related in doomed.sizes:
        known = (
            f"SELECT 1 FROM {doomed.table(related)} known WHERE known.pk = {_table(related)}.{_pk(related)}"  # noqa: S608
        )
        surviving += f" AND NOT EXISTS ({known})"
    with connection.cursor() as cursor:
        if relation.on_delete is models.SET_NULL:
            cursor.execute(f"UPDATE {_table(related)} SET {_column(relation)} = NULL WHERE {surviving}")  # noqa: S608
            return
        cursor.execute(f"SELECT 1 FROM {_table(related)} WHERE {surviving}")  # noqa: S608
        if cursor.fetchone():
            raise ProtectedRows(f"{related.__name__}.{relation.field.name} references rows being deleted")


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pk(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.pk.column)


def _column(relation) -> str:
    return connection.ops.quote_name(relation.field.column)
