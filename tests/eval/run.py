"""Run the evaluation set against a running bot (REST channel + tracker API).

As a script, against `make run`:  .venv/bin/python -m tests.eval.run [URL] [TOKEN] [--set fresh]
It prints the figures and writes results/eval.json (results/eval-fresh.json for
the set in tests/eval/fresh/) with every failure.
"""
import argparse
import json
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
# A sentence of an evaluation set must never be a training sentence (tests/test_eval_set.py, scripts/learn.py):
# compared without spaces and end punctuation; shorter replies ("有", "没有", "你好") are in any data set.
SHORTEST_SHARED = 7


def as_compared(text: str) -> str:
    return "".join(text.split()).strip("？?。!！~")


def load(name: str, folder: str = "") -> List[Dict[str, Any]]:
    return yaml.safe_load((EVAL_DIR / folder / name).read_text(encoding="utf-8"))


def report_path(folder: str = "") -> Path:
    return REPORT.with_name(f"eval-{folder}.json") if folder else REPORT


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


def evaluate(client: RestClient, folder: str = "") -> Dict[str, Any]:
    """Every case of the set in tests/eval/``folder``, judged; written to ``report_path(folder)``."""
    singles = _run(load("single_messages.yml", folder), lambda c: _single(client, c))
    conversations = _run(load("conversations.yml", folder), lambda c: _conversation(client, c))

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
    path = report_path(folder)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    report["path"] = str(path)
    return report


def summary(report: Dict[str, Any]) -> str:
    return (f"single messages {report['single_correct']:.1%} correct of {report['single_messages']}, "
            f"conversations {report['conversations_correct']:.1%} of {report['conversations']}, "
            f"hard failures {report['hard_failures']} (details in {report.get('path', REPORT)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:5005")
    parser.add_argument("token", nargs="?")
    parser.add_argument("--set", dest="folder", default="", help="a folder of tests/eval/ (e.g. fresh)")
    args = parser.parse_args()
    result = evaluate(RestClient(args.url, token=args.token), args.folder)
    print(summary(result))
    print(json.dumps(result["single_by_class"], ensure_ascii=False))
