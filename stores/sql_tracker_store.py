"""Rasa's SQL tracker store, checking pooled connections and keeping the agents' index.

After PostgreSQL restarts (maintenance, fail-over), the connections in each
Rasa instance's pool are dead. Rasa's ``SQLTrackerStore`` would hit one of them
on the next message, fail, and Rasa's fail-safe wrapper would carry on with an
empty conversation (the seller's facts forgotten for that message). SQLAlchemy's
``pool_pre_ping`` tests a connection when it is taken from the pool and replaces
it if dead, so the first message after the restart works.

``save`` is Rasa's, plus one step in the same transaction: the newly saved
events are folded into the agents' index (stores/conversation_index.py), so the
desk never reads whole conversations to list hand-overs or add up figures. A
turn that cannot change a conversation's figures (most: a question answered)
costs no index work.
Conversations stored before the index existed are indexed once, when the store
first finds the index empty. endpoints.yml selects it with
``type: stores.sql_tracker_store.PingingSQLTrackerStore``.
"""
import itertools
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from agent.stats import changes_figures
from channels.transcript import typed_by_seller
from stores import conversation_index

logger = logging.getLogger(__name__)


def _typed_by_seller(event: Any) -> bool:
    return isinstance(event, UserUttered) and typed_by_seller({"event": "user", "text": event.text})


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose pool never hands out a dead connection and that keeps the agents' index."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # connects and creates the tables, as Rasa does
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        conversation_index.create_tables(self.engine)
        self._index_earlier_conversations()

    def _index_earlier_conversations(self) -> None:
        with self.session_scope() as session:
            indexed = session.execute(sa.select(sa.func.count()).select_from(
                conversation_index.figures_table)).scalar()
            stored = session.query(self.SQLEvent.id).first()
            if indexed or stored is None:
                return
            rows = session.query(self.SQLEvent.sender_id, self.SQLEvent.data).order_by(self.SQLEvent.id)
            by_sender: dict = {}
            for sender_id, data in rows:
                by_sender.setdefault(sender_id, []).append(json.loads(data))
            done = conversation_index.rebuild(session, by_sender.items())
            session.commit()
            logger.info("indexed %d conversations stored before the agents' index existed", done)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` (3.6), with the index updated in the same transaction."""
        await self.stream_events(tracker)

        with self.session_scope() as session:
            saved = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                saved.append(data)
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            earlier = list(itertools.islice(tracker.events, 0, len(tracker.events) - len(saved)))
            said = (e.text for e in reversed(earlier) if _typed_by_seller(e))
            last_said = next(said, None)  # the seller's last message before this turn; None: a new conversation
            if last_said is None or changes_figures(saved):
                conversation_index.update(session, tracker.sender_id, saved, waiting_now=(
                    bool(tracker.get_slot("handed_over")), tracker.get_slot("handoff_since")),
                    last_user_text=last_said)
            session.commit()
