"""The bot's reply texts (domain.yml) and which reply each intent gets (data/rules)."""
from pathlib import Path
from typing import Any, Dict, List, Optional

PROJECT_DIR = Path(__file__).resolve().parent.parent


def read_yaml(path: Path) -> Any:
    """YAML 1.2, safe, as Rasa reads its own files (ruamel.yaml, which Rasa depends on)."""
    from ruamel.yaml import YAML

    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    return reader.load(path.read_text(encoding="utf-8"))


def load_responses(domain_path: Path = PROJECT_DIR / "domain.yml") -> Dict[str, List[Dict[str, Any]]]:
    return read_yaml(domain_path)["responses"]


def response_text(responses: Dict[str, Any], name: str) -> Optional[str]:
    variations = responses.get(name) or []
    return variations[0].get("text") if variations else None


def intent_replies(rules_dir: Path = PROJECT_DIR / "data" / "rules") -> Dict[str, str]:
    """intent → the first action an unconditional rule answers it with."""
    replies: Dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for rule in read_yaml(path).get("rules") or []:
            if rule.get("condition"):
                continue
            steps = rule.get("steps") or []
            for step, following in zip(steps, steps[1:], strict=False):
                action = following.get("action")
                intents = [step["intent"]] if "intent" in step else [
                    option["intent"] for option in step.get("or", []) if "intent" in option]
                for intent in intents:
                    if action:
                        replies.setdefault(intent, action)
    return replies
