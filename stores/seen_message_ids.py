"""Chat-platform message ids already answered, kept in the tracker database.

DingTalk and WeCom deliver a message again when the first answer was slow, and
a captured callback can be sent again by anyone (a replay). Each channel checks
the timestamp window itself; within it, a message id (or, when the platform
gives none, the callback's signature) is answered once. The ids live in the
tracker store's own database (SQLite or PostgreSQL), so they survive a restart
and every Rasa instance sharing that database sees them: the primary key makes
"first time" atomic across instances. Rows older than the window are deleted
now and then.
"""
import time
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from stores import tables

MAX_KEY_CHARS = 300
metadata = sa.MetaData()
seen_table = sa.Table(
    "platform_message_ids", metadata,
    sa.Column("key", sa.String(MAX_KEY_CHARS), primary_key=True),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),
)


class SeenMessageIds:
    """``first_time(key)``: True once per key within ``keep_seconds``, across restarts and instances."""

    def __init__(self, engine: Any, keep_seconds: float, clock: Callable[[], float] = time.time,
                 prune_every: int = 500) -> None:
        self.engine, self.keep_seconds, self.clock, self.prune_every = engine, keep_seconds, clock, prune_every
        self._since_prune = 0
        tables.create_all(metadata, engine)

    def first_time(self, key: str) -> bool:
        now = self.clock()
        key = key[:MAX_KEY_CHARS]
        self._since_prune += 1
        if self._since_prune >= self.prune_every:
            self._since_prune = 0
            with self.engine.begin() as connection:
                connection.execute(sa.delete(seen_table).where(seen_table.c.seen_at < now - self.keep_seconds))
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(seen_table).values(key=key, seen_at=now))
            return True
        except IntegrityError:  # seen before, here or on another instance
            pass
        with self.engine.begin() as connection:  # seen long ago (not pruned yet): a new message after all
            renewed = connection.execute(sa.update(seen_table).where(
                seen_table.c.key == key, seen_table.c.seen_at < now - self.keep_seconds).values(seen_at=now))
            return bool(renewed.rowcount)
