"""Fast inserts of many rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds SQL per batch through the full field machinery, which dominates a 200,000-row
registry import. Here each column's converter is looked up once and rows go to the driver as plain tuples.
Runs in the caller's transaction; no signals, no save() (the project keeps no logic there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import connection, models

Converter = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Inserts rows (values in `columns` order, FKs as `<name>_id` ids) and returns how many."""
    meta = model._meta
    # A foreign key is found by its attname (unit_id) too.
    fields = [cast("models.Field[Any, Any]", meta.get_field(c)) for c in columns]
    db_columns = [str(f.column) for f in fields]
    converters = [(i, conv) for i, f in enumerate(fields) if (conv := _converter(f)) is not None]

    def prepared() -> Iterable[list[Any]]:
        for row in rows:
            values = list(row)
            for i, conv in converters:
                if values[i] is not None:
                    values[i] = conv(values[i])
            yield values

    table = connection.ops.quote_name(meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(db_columns))
            batch: list[list[Any]] = []
            for values in prepared():
                batch.append(values)
                if len(batch) == 5000:
                    cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", batch)  # noqa: S608
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", batch)  # noqa: S608
                count += len(batch)
    return count
