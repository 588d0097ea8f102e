"""Deleting many rows with their dependants in a few set-based statements.

Django's ``QuerySet.delete()`` follows ``on_delete`` by loading every dependent row into
Python; for a synthetic city of two million rows that takes minutes. ``delete_cascading``
follows the same ``on_delete`` rules model by model instead: the doomed primary keys of each
model are collected in a temporary table (a relation is followed again only when its source
gained rows, so cycles end), references from surviving rows are set to NULL where the field
says SET_NULL, and every model's doomed rows go in one DELETE. Foreign keys are deferred
(Django creates them so), so the order of the DELETEs does not matter within the transaction.
"""

from django.apps import apps
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
    for queryset in roots:
        doomed.add(queryset.model, *queryset.values(candidate=F("pk")).query.sql_with_params())
    followed: dict[object, int] = {}  # relation -> its source's size when last followed
    changed = True
    while changed:
        changed = False
        for model in list(doomed.sizes):
            for relation in get_candidate_relations_to_delete(model._meta):
                if relation.on_delete is not models.CASCADE or followed.get(relation) == doomed.sizes[model]:
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
    emptied = _truncate_mostly_doomed(doomed) if connection.vendor == "postgresql" else set()
    counts = {model._meta.db_table: doomed.sizes[model] for model in emptied}
    with connection.cursor() as cursor:
        for model in doomed.sizes.keys() - emptied:
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {_pk(model)} IN ({doomed.pks(model)})")  # noqa: S608
            counts[model._meta.db_table] = cursor.rowcount
    # Dropped on success only: after a failure the transaction's rollback removes them.
    doomed.drop()
    return counts


# A table is emptied with TRUNCATE (and its few surviving rows put back) rather than a DELETE
# when at most this many of its rows survive: each deleted row costs PostgreSQL a check of
# every foreign key that references its table (20 point at the user table), TRUNCATE none.
FEW_SURVIVORS = 1000


def _truncate_mostly_doomed(doomed: "_Doomed") -> set[type[models.Model]]:
    """TRUNCATE the tables whose rows are (nearly) all doomed; the models so emptied.

    TRUNCATE must take every table that references one of its tables along, so the set grows
    by the referencing tables (a table of a few rows, such as the priority policy, comes along
    and is restored whole) and shrinks by any table that a large surviving table references.
    """
    referencing: dict[type[models.Model], set[type[models.Model]]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.remote_field is not None and field.db_constraint:
                target = field.remote_field.model._meta.concrete_model
                referencing.setdefault(target, set()).add(model._meta.concrete_model)
    survivors: dict[type[models.Model], int] = {}

    def surviving(model) -> int:
        if model not in survivors:
            survivors[model] = _row_count(model) - doomed.sizes.get(model, 0)
        return survivors[model]

    chosen = {model for model in doomed.sizes if surviving(model) <= FEW_SURVIVORS}
    blocked: set[type[models.Model]] = set()
    changed = True
    while changed:
        changed = False
        for model in list(chosen):
            for other in referencing.get(model, set()) - chosen:
                if other not in blocked and surviving(other) <= FEW_SURVIVORS:
                    chosen.add(other)
                else:
                    chosen.discard(model)
                    blocked.add(model)
                changed = True
                break
    if not chosen:
        return set()
    with connection.cursor() as cursor:
        for model in chosen:
            keep = connection.ops.quote_name(f"kept_{model._meta.db_table}")
            rows = f"SELECT * FROM {_table(model)}"  # noqa: S608
            if model in doomed.sizes:
                known = (
                    f"SELECT 1 FROM {doomed.table(model)} known WHERE known.pk = {_table(model)}.{_pk(model)}"  # noqa: S608
                )
                rows += f" WHERE NOT EXISTS ({known})"
            cursor.execute(f"DROP TABLE IF EXISTS {keep}")
            cursor.execute(f"CREATE TEMPORARY TABLE {keep} AS {rows}")
        # TRUNCATE refuses tables with foreign-key checks still pending (from the SET NULLs just
        # done, or rows written earlier in the transaction): run them now, defer again after.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(_table(model) for model in chosen)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Referenced rows first: a trigger that reads a row's parent (the wishes' waitlist keys
        # read their application) must find it.
        for model in _referenced_first(chosen):
            keep = connection.ops.quote_name(f"kept_{model._meta.db_table}")
            cursor.execute(f"INSERT INTO {_table(model)} SELECT * FROM {keep}")  # noqa: S608
            cursor.execute(f"DROP TABLE {keep}")
    return chosen & doomed.sizes.keys()


def _referenced_first(chosen: set[type[models.Model]]) -> list[type[models.Model]]:
    """``chosen`` ordered so that each model comes after the models it references (a cycle is
    broken at the model first by name); the same order every run."""
    targets = {
        model: {
            field.remote_field.model._meta.concrete_model
            for field in model._meta.concrete_fields
            if field.remote_field is not None
        }
        for model in chosen
    }
    ordered: list[type[models.Model]] = []
    remaining = sorted(chosen, key=lambda model: model._meta.label)
    while remaining:
        ready = [model for model in remaining if not (targets[model] - {model}) & set(remaining)]
        for model in ready or remaining[:1]:
            ordered.append(model)
            remaining.remove(model)
    return ordered


def _row_count(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_table(model)}")  # noqa: S608
        return cursor.fetchone()[0]


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
