"""Writing many rows fast: COPY on PostgreSQL, batched INSERTs elsewhere.

The synthetic city writes about a million rows. ``bulk_create`` would build a model
instance per row and, on PostgreSQL, send them as huge INSERT statements; COPY streams
plain tuples instead and is several times faster. Ids are assigned here (after the
highest id in the table), so rows can reference each other before anything is written;
the sequences are moved past them afterwards.
"""

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

# Columns whose Python values need the backend's conversion (UUIDs are hex strings on SQLite,
# JSON needs an adapter, datetimes are made naive UTC on SQLite).
_CONVERTED = {"UUIDField", "JSONField", "DateTimeField", "DateField", "TimeField", "DecimalField"}
INSERT_BATCH = 5000


class TableWriter:
    """Collects rows for one model as tuples in ``columns`` order and writes them in one go.

    Columns not named take the field's default, which must not be unique or callable per row.
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model = model
        meta = model._meta
        named = [meta.get_field(name) for name in columns]
        rest = [f for f in meta.concrete_fields if f.name not in columns and not f.primary_key]
        for field in rest:
            if field.unique:
                raise ValueError(f"{model.__name__}.{field.name} is unique: give it a value per row")
        self.fields = [meta.pk, *named, *rest]
        # auto_now fields (e.g. updated_at) have no default of their own: they get the writing time.
        now = timezone.now()
        self.defaults = tuple(
            now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else field.get_default()
            for field in rest
        )
        self.converters = [
            (index, field)
            for index, field in enumerate(self.fields)
            if field.get_internal_type() in _CONVERTED
        ]
        self.next_id = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple] = []

    def add(self, *values) -> int:
        """Queue one row; returns the id it will have."""
        row_id = self.next_id
        self.next_id += 1
        self.rows.append((row_id, *values, *self.defaults))
        return row_id

    def __len__(self) -> int:
        return len(self.rows)

    def write(self) -> int:
        rows = [self._convert(row) for row in self.rows] if self.converters else self.rows
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                # Table and column names come from the model, values go as parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                for start in range(0, len(rows), INSERT_BATCH):
                    cursor.executemany(sql, rows[start : start + INSERT_BATCH])
        written = len(self.rows)
        self.rows = []
        return written

    def _convert(self, row: tuple) -> tuple:
        values = list(row)
        for index, field in self.converters:
            if values[index] is not None:
                values[index] = field.get_db_prep_value(values[index], connection, prepared=False)
        return tuple(values)
