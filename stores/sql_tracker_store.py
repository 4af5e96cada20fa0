"""Rasa's SQL tracker store, checking a pooled connection before each use.

After PostgreSQL restarts (maintenance, fail-over), the connections in each
Rasa instance's pool are dead. Rasa's ``SQLTrackerStore`` would hit one of them
on the next message, fail, and Rasa's fail-safe wrapper would carry on with an
empty conversation (the seller's facts forgotten for that message). SQLAlchemy's
``pool_pre_ping`` tests a connection when it is taken from the pool and replaces
it if dead, so the first message after the restart works. Everything else is
Rasa's. endpoints.yml selects it with
``type: stores.sql_tracker_store.PingingSQLTrackerStore``.
"""
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose pool never hands out a dead connection."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # connects and creates the tables, as Rasa does
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
