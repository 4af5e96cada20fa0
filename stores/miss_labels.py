"""Agents' labels of what the bot missed, kept next to the conversations (SQLite or PostgreSQL).

One row per labelled message (the miss's id, ``core/learning.py``): the text as
the seller wrote it, the label (an intent or FAQ topic the bot has, out of
scope, needs a new answer, or skipped), the agent's note, who labelled it and
when. Labelling a message again replaces its label. ``scripts/learn.py`` reads
them back to write training data.
"""
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from stores import tables

metadata = sa.MetaData()
labels_table = sa.Table(
    "miss_labels", metadata,
    sa.Column("miss_id", sa.String(64), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("value", sa.String(128)),
    sa.Column("note", sa.String(1000)),
    sa.Column("agent", sa.String(100), nullable=False),
    sa.Column("labelled_at", sa.Float, nullable=False, index=True),
)
COLUMNS = [column.name for column in labels_table.columns]


def create_tables(engine: sa.engine.Engine) -> None:
    tables.create_all(metadata, engine)


def save(connection: Any, miss: Dict[str, Any], kind: str, value: Optional[str], note: Optional[str],
         agent: str, now: Optional[float] = None) -> Dict[str, Any]:
    """Store (or replace) the label of ``miss``; returns the stored row."""
    row = {"miss_id": miss["id"], "conversation_id": miss["conversation_id"],
           "text": miss["text"], "reason": miss["reason"], "kind": kind, "value": value,
           "note": (note or "")[:1000] or None, "agent": agent[:100], "labelled_at": now or time.time()}
    for _ in range(2):  # two agents (or a double click) labelling the same message at once: the last one wins
        updated = connection.execute(sa.update(labels_table).where(labels_table.c.miss_id == row["miss_id"])
                                     .values(row))
        if updated.rowcount:
            return row
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(labels_table).values(row))
            return row
        except IntegrityError:
            continue
    return row


def labelled_ids(connection: Any) -> set:
    return {miss_id for (miss_id,) in connection.execute(sa.select(labels_table.c.miss_id))}


def all_labels(connection: Any) -> List[Dict[str, Any]]:
    """Every label, oldest first."""
    rows = connection.execute(sa.select(labels_table).order_by(labels_table.c.labelled_at))
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
