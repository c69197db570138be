"""Helpers shared by the tests."""

from __future__ import annotations

from sqlalchemy import select

from sradar_desktop.db.models import Base


def snapshot(db, skip_columns: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: equal snapshots, equal content."""
    content: dict[str, list[tuple]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in skip_columns]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns))
            content[table.name] = [tuple(row) for row in rows]
    return content
