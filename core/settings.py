"""Settings of the action server, from environment variables (read when called)."""
import os
from pathlib import Path

_PROJECT_DIR = Path(__file__).resolve().parent.parent


def dictionary_dir() -> str:
    """The jieba user-dictionary folder, shared with the NLU pipeline."""
    return os.environ.get("DICTIONARY_DIR", str(_PROJECT_DIR / "data" / "dict"))


def handoff_webhook_url() -> str:
    """Where hand-offs are announced (HANDOFF_WEBHOOK_URL); empty: nowhere."""
    return os.environ.get("HANDOFF_WEBHOOK_URL", "")
