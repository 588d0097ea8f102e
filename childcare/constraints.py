"""A database constraint that keeps periods of one owner from overlapping.

PostgreSQL enforces it with an exclusion constraint (``btree_gist``), which is safe
under concurrent transactions. SQLite has no exclusion constraints; there two
triggers reject the insert or update instead, which is safe because SQLite
serialises writers.
"""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.backends.ddl_references import Statement, Table
from django.db.models import BaseConstraint, Q

_SQLITE_TRIGGER = (
    "CREATE TRIGGER %(trigger)s BEFORE %(event)s ON %(table)s "
    "WHEN NEW.%(flag)s = '%(value)s' AND EXISTS (SELECT 1 FROM %(table)s AS other "
    "WHERE other.%(key)s = NEW.%(key)s AND other.%(flag)s = '%(value)s'%(not_self)s "
    "AND (other.%(end)s IS NULL OR other.%(end)s > NEW.%(start)s) "
    "AND (NEW.%(end)s IS NULL OR other.%(start)s < NEW.%(end)s)) "
    "BEGIN SELECT RAISE(ABORT, '%(name)s'); END"
)


class NoOverlapConstraint(BaseConstraint):
    """Rows sharing ``key`` whose ``flag`` equals ``value`` may not overlap in [start, end).

    An empty ``end`` means the period is open-ended.
    """

    def __init__(self, *, name, key, start, end, flag, value, violation_error_message=None):
        self.key, self.start, self.end, self.flag, self.value = key, start, end, flag, value
        super().__init__(name=name, violation_error_message=violation_error_message)

    def _columns(self, model):
        field = model._meta.get_field
        return {
            "key": field(self.key).column,
            "start": field(self.start).column,
            "end": field(self.end).column,
            "flag": field(self.flag).column,
            "value": self.value,
            "pk": model._meta.pk.column,
        }

    def _postgres_clause(self, model, schema_editor):
        quote = schema_editor.quote_name
        cols = self._columns(model)
        return (
            f"CONSTRAINT {quote(self.name)} EXCLUDE USING gist "
            f"({quote(cols['key'])} WITH =, "
            f"daterange({quote(cols['start'])}, {quote(cols['end'])}, '[)') WITH &&) "
            f"WHERE ({quote(cols['flag'])} = '{cols['value']}')"
        )

    def _sqlite_triggers(self, model, schema_editor):
        cols = self._columns(model)
        table = Table(model._meta.db_table, schema_editor.quote_name)
        for event, not_self in (("INSERT", ""), ("UPDATE", f" AND other.{cols['pk']} != NEW.{cols['pk']}")):
            yield Statement(
                _SQLITE_TRIGGER,
                trigger=f"{self.name}_{event.lower()}",
                event=event,
                table=table,
                name=self.name,
                not_self=not_self,
                **{k: v for k, v in cols.items() if k != "pk"},
            )

    def constraint_sql(self, model, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            return self._postgres_clause(model, schema_editor)
        if vendor == "sqlite":
            # Triggers cannot sit inside CREATE TABLE; they run after the table exists
            # (and after SQLite's table remake renamed it, which Statement follows).
            schema_editor.deferred_sql.extend(self._sqlite_triggers(model, schema_editor))
            return None
        raise NotImplementedError(f"{self.name} is not implemented for {vendor}")

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            first, *rest = self._sqlite_triggers(model, schema_editor)
            schema_editor.deferred_sql.extend(rest)
            return first
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} ADD {self._postgres_clause(model, schema_editor)}"

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            return f"DROP TRIGGER IF EXISTS {self.name}_insert; DROP TRIGGER IF EXISTS {self.name}_update"
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} DROP CONSTRAINT {schema_editor.quote_name(self.name)}"

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if exclude and {self.key, self.start, self.end, self.flag} & set(exclude):
            return
        if getattr(instance, self.flag) != self.value:
            return
        start, end = getattr(instance, self.start), getattr(instance, self.end)
        if start is None:
            return
        overlapping = model._default_manager.using(using).filter(
            Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gt": start}),
            **{self.key: getattr(instance, f"{self.key}_id"), self.flag: self.value},
        )
        if end is not None:
            overlapping = overlapping.filter(**{f"{self.start}__lt": end})
        if not instance._state.adding:
            overlapping = overlapping.exclude(pk=instance.pk)
        if overlapping.exists():
            raise ValidationError(self.get_violation_error_message())

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.update(key=self.key, start=self.start, end=self.end, flag=self.flag, value=self.value)
        return path, args, kwargs

    def __eq__(self, other):
        if isinstance(other, NoOverlapConstraint):
            return self.deconstruct() == other.deconstruct()
        return super().__eq__(other)
