"""The web origins allowed to talk to the bot from a browser (CORS)."""
import re
from typing import Any, List


def parse_origins(value: Any) -> List[str]:
    """``"http://a:8000, http://b"`` (or a YAML list) → ``["http://a:8000", "http://b"]``.

    ``*`` is refused: the widget's origins are always listed explicitly.
    """
    items = value if isinstance(value, list) else re.split(r"[\s,]+", str(value or ""))
    origins = [str(item).strip().rstrip("/") for item in items if str(item).strip()]
    if "*" in origins:
        raise ValueError("CORS origins must be listed; '*' is not allowed")
    return origins
