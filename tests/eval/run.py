"""Run the evaluation set against a running bot (REST channel + tracker API).

As a script, against `make run`:  .venv/bin/python -m tests.eval.run [URL]
It prints the figures and writes results/eval.json with every failure.
"""
import json
import sys
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from tests.eval.judge import judge

EVAL_DIR = Path(__file__).resolve().parent
PROJECT_DIR = EVAL_DIR.parent.parent
REPORT = PROJECT_DIR / "results" / "eval.json"
WORKERS = 4


def load(name: str) -> List[Dict[str, Any]]:
    return yaml.safe_load((EVAL_DIR / name).read_text(encoding="utf-8"))


class RestClient:
    """Talks to the bot like the REST channel's users; reads what it did from the tracker."""

    def __init__(self, url: str, token: Optional[str] = None) -> None:
        self.url, self.token = url.rstrip("/"), token

    def _call(self, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(f"{self.url}{path}", data=data,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def turn(self, sender: str, text: str) -> Tuple[List[str], Dict[str, Any], List[str]]:
        """(response names, slots after, reply texts) of one message."""
        replies = self._call("/webhooks/rest/webhook", {"sender": sender, "message": text})
        query = f"?token={self.token}" if self.token else ""
        tracker = self._call(f"/conversations/{sender}/tracker{query}")
        events = tracker["events"]
        last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
        names = [(e.get("metadata") or {}).get("utter_action") or "?" for e in events[last_user:]
                 if e.get("event") == "bot"]
        return names, tracker.get("slots", {}), [r.get("text", "") for r in replies]


def _single(client: RestClient, case: Dict[str, Any]) -> Dict[str, Any]:
    names, slots, texts = client.turn(f"eval-{uuid.uuid4().hex[:10]}", case["text"])
    stated = case.get("stated") or {}
    verdict = judge(names, slots, case["expect"], stated)
    return {"text": case["text"], "class": case.get("class"), "expect": case["expect"], "stated": stated,
            "responses": names, "replies": texts, "correct": verdict.correct, "hard": verdict.hard,
            "problems": verdict.problems}


def _conversation(client: RestClient, case: Dict[str, Any]) -> Dict[str, Any]:
    sender = f"eval-{uuid.uuid4().hex[:10]}"
    stated: Dict[str, str] = {}
    turns, correct, hard = [], True, []
    for turn in case["turns"]:
        before = dict(stated)
        stated.update(turn.get("stated") or {})
        names, slots, texts = client.turn(sender, turn["user"])
        verdict = judge(names, slots, turn["expect"], stated, before)
        correct &= verdict.correct
        hard += verdict.hard
        turns.append({"user": turn["user"], "expect": turn["expect"], "responses": names,
                      "replies": texts, "hard": verdict.hard, "problems": verdict.problems})
    return {"name": case["name"], "class": case.get("class"), "correct": correct, "hard": hard,
            "turns": turns}


def _run(cases: List[Dict[str, Any]], one: Callable[[Dict[str, Any]], Dict[str, Any]]):
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, cases))


def evaluate(client: RestClient) -> Dict[str, Any]:
    singles = _run(load("single_messages.yml"), lambda c: _single(client, c))
    conversations = _run(load("conversations.yml"), lambda c: _conversation(client, c))

    def share(rows):
        return round(sum(r["correct"] for r in rows) / len(rows), 4)

    by_class: Dict[str, List[bool]] = {}
    for row in singles:
        by_class.setdefault(row["class"], []).append(row["correct"])
    report = {
        "single_messages": len(singles), "single_correct": share(singles),
        "conversations": len(conversations), "conversations_correct": share(conversations),
        "hard_failures": sum(bool(r["hard"]) for r in singles + conversations),
        "single_by_class": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_class.items())},
        "failed_singles": [r for r in singles if not r["correct"]],
        "failed_conversations": [r for r in conversations if not r["correct"]],
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def summary(report: Dict[str, Any]) -> str:
    return (f"single messages {report['single_correct']:.1%} correct of {report['single_messages']}, "
            f"conversations {report['conversations_correct']:.1%} of {report['conversations']}, "
            f"hard failures {report['hard_failures']} (details in {REPORT})")


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5005"
    result = evaluate(RestClient(url, token=(sys.argv[2] if len(sys.argv) > 2 else None)))
    print(summary(result))
    print(json.dumps(result["single_by_class"], ensure_ascii=False))
