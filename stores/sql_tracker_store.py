"""Rasa's SQL tracker store, checking pooled connections and keeping the agents' index.

After PostgreSQL restarts (maintenance, fail-over), the connections in each
Rasa instance's pool are dead. Rasa's ``SQLTrackerStore`` would hit one of them
on the next message, fail, and Rasa's fail-safe wrapper would carry on with an
empty conversation (the seller's facts forgotten for that message). SQLAlchemy's
``pool_pre_ping`` tests a connection when it is taken from the pool and replaces
it if dead, so the first message after the restart works.

With SQLite (the one-machine default) each connection uses write-ahead logging
with ``synchronous=NORMAL`` (SQLite's recommended setting for WAL): a commit
appends to the log without waiting for the disk, readers never wait for the
writer, and a crash of the process loses nothing committed; a power cut may
lose the last turns but never corrupts the file. ``SQLITE_SYNCHRONOUS=FULL``
restores waiting for the disk on every commit. Rasa saves each turn twice, so
this halves-to-quarters a plain FAQ answer's storage time (bench/README).

SQLite connections are kept in a pool (SQLAlchemy 1.4 otherwise opens one per
session, and each open re-applies the settings above), and each event is written
compactly (stores/stored_event.py: the parse data without the answer texts and
long rankings, UTF-8 JSON).

Rasa's ``save`` finds the turn's new events by counting the session's stored
events again; here a tracker the store read or saved carries that count, so a
save asks the database nothing more (a tracker whose events were replaced is
counted as Rasa does). Rasa's count went wrong for a seller back after the
session expired: by the turn's second save the latest stored session is the
new one, and the events after its length were stored again.

``save`` is Rasa's, plus one step in the same transaction: the newly saved
events are folded into the agents' index (stores/conversation_index.py), so the
desk never reads whole conversations to list hand-offs or add up figures. A
turn that cannot change a conversation's figures (most: a question answered)
costs no index work.
Conversations stored before the index existed are indexed once, when the store
first finds the index empty. endpoints.yml selects it with
``type: stores.sql_tracker_store.PingingSQLTrackerStore``.
"""
import itertools
import json
import logging
import os
from typing import Any, Dict, List, Optional, Type

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

from core.stats import changes_figures
from core.transcript import typed_by_seller
from stores import conversation_index, miss_labels, stored_event

logger = logging.getLogger(__name__)


def _typed_by_seller(event: Any) -> bool:
    return isinstance(event, UserUttered) and typed_by_seller({"event": "user", "text": event.text})


# On a tracker this store read or saved: how many of its events are stored, and the last of them.
_STORED = "_zqbz_stored_events"


def _remember_stored(tracker: DialogueStateTracker) -> None:
    events = tracker.events
    setattr(tracker, _STORED, (len(events), events[-1] if events else None))


def _stored_count(tracker: DialogueStateTracker) -> Optional[int]:
    """How many of the tracker's events are stored, if this store read or saved it and its events were
    only added to since (Rasa's trackers only ever append); None when that is not known."""
    remembered = getattr(tracker, _STORED, None)
    if remembered is None:
        return None
    count, last = remembered
    events = tracker.events
    if count == 0 or count > len(events) or events[count - 1] is not last:
        return None
    return count


_EVENT_CLASSES: Dict[str, Type[Event]] = {}


def deserialise_events(stored: List[Dict[str, Any]]) -> List[Event]:
    """Rasa's ``deserialise_events`` (3.6) with the event classes looked up once.

    Rasa's ``Event.from_parameters`` finds each event's class by walking every
    subclass of ``Event`` (checking each for abstract methods) for every event
    read: on a 120-message conversation that was 40% of the Rasa server's time.
    The classes are the ones it would find (the first subclass with the type
    name, in the same order); a type name not among them goes through Rasa's own
    lookup (its fallbacks and errors).
    """
    if not _EVENT_CLASSES:
        for cls in all_subclasses(Event):
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    found = []
    for parameters in stored:
        if "event" not in parameters:
            continue
        cls = _EVENT_CLASSES.get(parameters["event"])
        event = cls._from_parameters(parameters) if cls is not None else Event.from_parameters(parameters)
        if event:
            found.append(event)
    return found


SQLITE_SYNCHRONOUS_VALUES = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_synchronous() -> str:
    """SQLITE_SYNCHRONOUS (NORMAL by default); an unknown value is refused rather than guessed."""
    value = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").strip().upper() or "NORMAL"
    if value not in SQLITE_SYNCHRONOUS_VALUES:
        raise ValueError(f"SQLITE_SYNCHRONOUS={value!r}: expected one of {', '.join(SQLITE_SYNCHRONOUS_VALUES)}")
    return value


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cursor.close()


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose pool never hands out a dead connection and that keeps the agents' index."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # connects and creates the tables, as Rasa does
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool): with
            # the settings below that was a tenth of the Rasa server's busy time under load.
            # Connections are kept instead; a session uses one at a time.
            kwargs = {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}
        else:
            kwargs = create_engine_kwargs(url)
        self.engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sqlite_synchronous()  # a wrong setting stops the start, not the first message
            sa.event.listen(self.engine, "connect", _sqlite_settings)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Built once: building one took about as long as running it.
        events = self.SQLEvent.__table__
        self._latest_session = self._session_events(False, events.c.data).order_by(events.c.id)
        self._all_sessions = self._session_events(True, events.c.data).order_by(events.c.id)
        self._latest_session_count = self._session_events(False, sa.func.count(events.c.id))
        conversation_index.create_tables(self.engine)
        miss_labels.create_tables(self.engine)
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
            try:
                done = conversation_index.rebuild(session, by_sender.items())
                session.commit()
            except (sa.exc.IntegrityError, sa.exc.OperationalError, conversation_index.AlreadyIndexed) as error:
                # Another Rasa process (SANIC_WORKERS) starting at the same moment is doing the same.
                session.rollback()
                logger.info("another process is indexing the earlier conversations (%s)", type(error).__name__)
                return
            logger.info("indexed %d conversations stored before the agents' index existed", done)

    def _session_events(self, all_sessions: bool, *columns: Any) -> Any:
        """Rasa's ``_event_query`` (3.6) as a Core statement: the same rows, without building ORM objects.

        Events of the latest session (from its ``session_started`` on, or all when
        there is none) or of every session, in the order they were stored; the
        sender is the bound parameter ``sender_id``.
        """
        events = self.SQLEvent.__table__
        sender_id = sa.bindparam("sender_id")
        statement = sa.select(*columns).where(events.c.sender_id == sender_id)
        if not all_sessions:
            start = sa.select(sa.func.max(events.c.timestamp)).where(
                events.c.sender_id == sender_id,
                events.c.type_name == SessionStarted.type_name).scalar_subquery()
            statement = statement.where(sa.or_(events.c.timestamp >= start, start.is_(None)))
        return statement

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's ``_retrieve`` (3.6) reading only the events' data column."""
        with self.session_scope() as session:
            rows = session.execute(self._all_sessions if fetch_events_from_all_sessions else self._latest_session,
                                   {"sender_id": sender_id})
            stored = [json.loads(data) for (data,) in rows]
        if self.domain and stored:
            tracker = DialogueStateTracker.from_events(sender_id, deserialise_events(stored), self.domain.slots)
            if not fetch_events_from_all_sessions:
                _remember_stored(tracker)
            return tracker
        return None

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """Rasa's ``_additional_events`` (3.6): the tracker's events after those already stored for its session.

        For a tracker this store read or saved, the events it held then are the
        ones stored (Rasa's count of them, without asking the database again);
        for any other tracker, or one whose events were since replaced, Rasa's count.
        """
        stored = _stored_count(tracker)
        if stored is None:
            stored = session.execute(self._latest_session_count, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` (3.6), with the index updated in the same transaction."""
        await self.stream_events(tracker)

        with self.session_scope() as session:
            new = [(event.type_name, event.as_dict()) for event in self._additional_events(session, tracker)]
            saved = [data for _, data in new]
            if new:
                session.execute(self.SQLEvent.__table__.insert(), [{
                    "sender_id": tracker.sender_id,
                    "type_name": type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": stored_event.dumps(data),
                } for type_name, data in new])
            earlier = list(itertools.islice(tracker.events, 0, len(tracker.events) - len(saved)))
            said = (e.text for e in reversed(earlier) if _typed_by_seller(e))
            last_said = next(said, None)  # the seller's last message before this turn; None: a new conversation
            if last_said is None or changes_figures(saved):
                conversation_index.update(session, tracker.sender_id, saved, waiting_now=(
                    bool(tracker.get_slot("handed_off")), tracker.get_slot("handoff_since")),
                    last_user_text=last_said)
            session.commit()
        _remember_stored(tracker)
