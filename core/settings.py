"""Settings from environment variables (read when called), for the action server and the Rasa process alike."""
import os
from pathlib import Path
from typing import Callable, Mapping, Optional, TypeVar

Number = TypeVar("Number", int, float)

_PROJECT_DIR = Path(__file__).resolve().parent.parent


def dictionary_dir() -> str:
    """The jieba user-dictionary folder, shared with the NLU pipeline."""
    return os.environ.get("DICTIONARY_DIR", str(_PROJECT_DIR / "data" / "dict"))


def handoff_webhook_url() -> str:
    """Where hand-offs are announced (HANDOFF_WEBHOOK_URL); empty: nowhere."""
    return os.environ.get("HANDOFF_WEBHOOK_URL", "")


def positive_number(name: str, default: Number, cast: Callable[[str], Number],
                    env: Optional[Mapping[str, str]] = None) -> Number:
    """The environment variable ``name`` as a positive number; missing, unreadable or ≤ 0 gives ``default``."""
    raw = (os.environ if env is None else env).get(name)
    if raw is None:
        return default
    try:
        value = cast(raw)
    except ValueError:
        return default
    return value if value > 0 else default
