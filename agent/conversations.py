"""Read the stored conversations from Rasa's tracker store (the single record).

Uses the tracker store configured in endpoints.yml, through Rasa's own classes,
and the agents' index that store keeps (stores/conversation_index.py): the
lists and figures come from the index; whole conversations are read only for
the ones shown (the few waiting for a person).
"""
import asyncio
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

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


async def _events(conversation_id: str) -> Optional[List[Dict[str, Any]]]:
    tracker = await _tracker_store().retrieve_full_tracker(conversation_id)
    return None if tracker is None else [event.as_dict() for event in tracker.events]


def events_of(conversation_id: str) -> Optional[List[Dict[str, Any]]]:
    """All events of one conversation, or None if there is none."""
    return asyncio.run(_events(conversation_id))


def _engine() -> Any:
    store = _tracker_store()
    return getattr(store, "engine", None) or store._tracker_store.engine  # Rasa may wrap it (fail-safe)


def waiting_for_person() -> List[Tuple[str, Optional[float]]]:
    """(conversation id, since) of the conversations waiting for a person, from the index."""
    from stores import conversation_index

    with _engine().connect() as connection:
        return conversation_index.waiting(connection)


def figures() -> Dict[str, Any]:
    """The resolution figures, from the index."""
    from stores import conversation_index

    with _engine().connect() as connection:
        return conversation_index.figures(connection)
