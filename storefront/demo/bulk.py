"""Bulk writes for the demo's millions of rows: the values `bulk_create` would write, each
through its field's `get_db_prep_save`, sent with one prepared INSERT per table
(`executemany`) instead of compiling SQL from model instances batch by batch."""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Max, Model

CHUNK = 10_000  # rows per executemany


def insert_objects(objects: Sequence[Model]) -> None:
    """Inserts unsaved instances of one model as `bulk_create` would (`pre_save` included, so
    `auto_now` stamps), with their primary keys when they have them (see `Ids`); nothing is
    set back on the objects."""
    if not objects:
        return
    model = type(objects[0])
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key or objects[0].pk is not None
    ]
    _insert(model, fields, objects, lambda chunk, field: [field.pre_save(o, True) for o in chunk])


def insert_dicts(model: type[Model], rows: Iterable[dict]) -> None:
    """Inserts rows given as {attribute name: value} (`order_id`, not `order`), for the rows
    too many to build instances of; fields left out take the model's default, as in
    `model(**row)`, and the primary key the database's."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    stamped = [field.name for field in fields if _stamped_on_save(field)]
    if stamped:
        raise ValueError(f"{model.__name__}.{stamped[0]} is set on save: use insert_objects.")
    _insert(model, fields, rows, _given)


def _stamped_on_save(field: Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _given(rows: list[dict], field: Field) -> list:
    values = [row.get(field.attname, _MISSING) for row in rows]
    if any(value is _MISSING for value in values):
        return [field.get_default() if value is _MISSING else value for value in values]
    return values


_MISSING = object()


def _insert(model: type[Model], fields: list[Field], rows: Iterable, column_of) -> None:
    """Writes `rows` a chunk at a time, column by column: `column_of(chunk, field)` gives the
    chunk's values of `field`."""
    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked for every value
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            columns = [_db_values(field, column_of(chunk, field), connection) for field in fields]
            cursor.executemany(sql, list(zip(*columns, strict=True)))


def _db_values(field: Field, values: list, connection) -> list:
    """The values as the database takes them (`get_db_prep_save`), each distinct int, string or
    None converted once: ids, types and markets repeat by the million."""
    prepare, known, prepared = field.get_db_prep_save, {}, []
    for value in values:
        if type(value) in _REUSED:
            if value not in known:
                known[value] = prepare(value, connection)
            prepared.append(known[value])
        else:
            prepared.append(prepare(value, connection))
    return prepared


_REUSED = (int, str, type(None))  # exactly these types: no bools, no decimals equal to ints


class Ids:
    """Primary keys handed out before the rows are written, so that rows of a batch can point at
    each other (a line at its order) without reading ids back; `sequences_reset` then moves the
    database's id sequences past them, as `loaddata` does."""

    def __init__(self, model: type[Model]) -> None:
        self._next = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

    def take(self) -> int:
        self._next += 1
        return self._next - 1


def sequences_reset(models: Sequence[type[Model]]) -> None:
    """After writing ids ourselves: new rows get ids after them (SQLite needs nothing)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
