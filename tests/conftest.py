"""Shared fixtures: project paths, the domain, tracker builders, the trained model."""
import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
MODEL_PATH = PROJECT_DIR / "models" / "zqbz.tar.gz"


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """domain.yml as the action server receives it (a plain dict), read as Rasa reads it."""
    from rasa.shared.utils.io import read_yaml_file

    return read_yaml_file(PROJECT_DIR / "domain.yml")


def make_tracker(
    text: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    **parse_data: Any,
):
    """A rasa_sdk Tracker whose latest message is ``text`` parsed as ``intent``."""
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        **parse_data,
    }
    return Tracker(
        sender_id="test",
        slots=dict(slots or {}),
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "exit_check_form"},
        latest_action_name="action_listen",
    )


def entity(text: str, word: str, name: str) -> Dict[str, Any]:
    """An entity as the RegexEntityExtractor reports it for ``word`` in ``text``."""
    start = text.index(word)
    return {"entity": name, "value": word, "start": start, "end": start + len(word)}


@pytest.fixture(scope="session")
def agent():
    """The trained model, loaded once (NLU parsing only; no action server)."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` first")
    os.chdir(PROJECT_DIR)
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL_PATH))


@pytest.fixture(scope="session")
def parse(agent):
    """Parse one message with the trained model, synchronously."""
    loop = asyncio.new_event_loop()

    def _parse(text: str) -> Dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    yield _parse
    loop.close()


def save_turn_by_turn(store, slots, conversations) -> None:
    """Save each conversation ({sender: [[events of a turn], …]}) through ``store`` after every turn, as Rasa does."""
    import asyncio

    from rasa.shared.core.trackers import DialogueStateTracker

    async def run():
        for sender, turns in conversations.items():
            tracker = DialogueStateTracker.from_events(sender, [], slots=slots)
            for turn in turns:
                for event in turn:
                    tracker.update(event)
                await store.save(tracker)
    asyncio.run(run())
