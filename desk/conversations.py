"""Read the stored conversations from Rasa's tracker store (the single record).

Uses the tracker store configured in endpoints.yml, through Rasa's own classes,
and the agents' index that store keeps (stores/conversation_index.py): the
lists and figures come from the index; whole conversations are read only for
the ones shown (those waiting for a person), in one query.
"""
import json
import threading
from pathlib import Path
from typing import Any, Dict, List, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
_lock = threading.Lock()
_store = None


def _tracker_store():
    global _store
    with _lock:
        if _store is None:
            from rasa.core.tracker_store import TrackerStore
            from rasa.shared.core.domain import Domain
            from rasa.utils.endpoints import read_endpoint_config

            endpoint = read_endpoint_config(str(PROJECT_DIR / "endpoints.yml"), "tracker_store")
            _store = TrackerStore.create(endpoint, Domain.load(str(PROJECT_DIR / "domain.yml")))
        return _store


def _sql_store() -> Any:
    store = _tracker_store()
    return getattr(store, "_tracker_store", store)  # Rasa wraps it (AwaitableTrackerStore)


def _engine() -> Any:
    return _sql_store().engine


def waiting_for_person(limit: int) -> Tuple[int, List[Tuple[str, List[Dict[str, Any]]]]]:
    """How many conversations wait for a person, and (id, events) of the ``limit`` longest waiting.

    Which ones: the index. Their events: one query for all of them, as stored
    (no tracker rebuilt per conversation).
    """

    from stores import conversation_index

    with _engine().connect() as connection:
        total = conversation_index.waiting_count(connection)
        waiting = [sender_id for sender_id, _ in conversation_index.waiting(connection, limit)]
        events = _events_of(connection, waiting)
    return total, [(sender_id, events[sender_id]) for sender_id in waiting]


def figures() -> Dict[str, Any]:
    """The resolution figures, from the index."""
    from stores import conversation_index

    with _engine().connect() as connection:
        return conversation_index.figures(connection)


def _events_of(connection: Any, sender_ids: List[str]) -> Dict[str, List[Dict[str, Any]]]:
    import sqlalchemy as sa

    store = _sql_store()
    events: Dict[str, List[Dict[str, Any]]] = {sender_id: [] for sender_id in sender_ids}
    for start in range(0, len(sender_ids), 500):
        rows = connection.execute(
            sa.select(store.SQLEvent.sender_id, store.SQLEvent.data)
            .where(store.SQLEvent.sender_id.in_(sender_ids[start:start + 500])).order_by(store.SQLEvent.id))
        for sender_id, data in rows:
            events[sender_id].append(json.loads(data))
    return events


def recent_unresolved(limit: int) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """(id, events) of the ``limit`` unresolved conversations most recently active, newest first."""
    import sqlalchemy as sa

    from stores import conversation_index

    store = _sql_store()
    with _engine().connect() as connection:
        candidates = conversation_index.unresolved(connection)
        last: List[Tuple[int, str]] = []
        for start in range(0, len(candidates), 500):
            last += [(int(latest), sender_id) for sender_id, latest in connection.execute(
                sa.select(store.SQLEvent.sender_id, sa.func.max(store.SQLEvent.id))
                .where(store.SQLEvent.sender_id.in_(candidates[start:start + 500]))
                .group_by(store.SQLEvent.sender_id))]
        chosen = [sender_id for _, sender_id in sorted(last, reverse=True)[:limit]]
        events = _events_of(connection, chosen)
    return [(sender_id, events[sender_id]) for sender_id in chosen]


def conversation_events(sender_id: str) -> List[Dict[str, Any]]:
    with _engine().connect() as connection:
        return _events_of(connection, [sender_id])[sender_id]


def labelled_ids() -> set:
    from stores import miss_labels

    with _engine().connect() as connection:
        return miss_labels.labelled_ids(connection)


def save_label(miss: Dict[str, Any], kind: str, value: Any, note: Any, agent: str) -> Dict[str, Any]:
    from stores import miss_labels

    with _engine().begin() as connection:
        return miss_labels.save(connection, miss, kind, value, note, agent)


def all_labels() -> List[Dict[str, Any]]:
    from stores import miss_labels

    with _engine().connect() as connection:
        return miss_labels.all_labels(connection)
