"""Read the stored conversations from Rasa's tracker store (the single record).

Uses the tracker store configured in endpoints.yml, through Rasa's own classes.
"""
import asyncio
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

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


def all_conversations() -> Dict[str, List[Dict[str, Any]]]:
    """Every stored conversation's events, by conversation id."""
    async def collect() -> Dict[str, List[Dict[str, Any]]]:
        found = {key: await _events(key) for key in await _tracker_store().keys()}
        return {key: events for key, events in found.items() if events is not None}

    return asyncio.run(collect())
