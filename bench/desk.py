"""The agents' desk with many stored conversations: /handoffs and /stats answer times.

Stores N realistic conversations (default 100,000) in a fresh SQLite tracker
store through the project's tracker store (events and the agents' index, as
Rasa saves them; ~1% waiting for a person), then calls the desk API's two
list routes in-process (desk/http.py, the code the web server runs) and
reports the median and p95 over repeated calls. Target: under 100 ms each.

    .venv/bin/python bench/desk.py [N]
"""
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

REPEATS = 30
TARGET_MS = 100.0


def _events(rng: random.Random, i: int, now: float) -> List[Dict[str, Any]]:
    """One conversation's events as Rasa stores them (a few shapes, like real traffic)."""
    t = now - rng.uniform(0, 30 * 86400)

    def user(text: str, intent: str) -> Dict[str, Any]:
        return {"event": "user", "text": text, "timestamp": t,
                "parse_data": {"intent": {"name": intent, "confidence": 0.99}}}

    def bot(text: str, utter: str) -> Dict[str, Any]:
        return {"event": "bot", "text": text, "timestamp": t + 0.1, "metadata": {"utter_action": utter}}

    start = [{"event": "action", "name": "action_session_start", "timestamp": t},
             {"event": "session_started", "timestamp": t}, {"event": "action", "name": "action_listen",
                                                             "timestamp": t}]
    shape = rng.random()
    if shape < 0.70:
        return start + [user("账期保障怎么退出", "faq"), bot("1. 打开千牛卖家中心…", "utter_faq/how_to_exit")]
    if shape < 0.85:
        return start + [user(f"88VIP怎么开通{i % 300}", "out_of_scope"), bot("抱歉…", "utter_out_of_scope")]
    if shape < 0.95:
        answer = bot("答", "utter_faq/what_is")
        return start + [user("账期保障是什么", "faq"), answer,
                        {"event": "slot", "name": "answer_feedback", "timestamp": t + 1,
                         "value": {"rating": rng.choice(["up", "down"]), "message": "答", "answer_ts": t + 0.1}}]
    waiting = shape < 0.96  # ~1% still wait for a person; the others were resumed
    events = start + [user("转人工", "request_human"), bot("好的，正在为您转接人工客服…", "utter_handoff"),
                      {"event": "slot", "name": "handoff_reason", "value": "requested", "timestamp": t},
                      {"event": "slot", "name": "handed_off", "value": True, "timestamp": t}]
    if not waiting:
        events += [{"event": "bot", "text": "转人工已结束", "timestamp": t + 60},
                   {"event": "slot", "name": "handed_off", "value": False, "timestamp": t + 60}]
    return events


def store(db: Path, n: int) -> None:
    """N conversations into the tracker store's tables, through the index's own update code."""
    from rasa.shared.core.domain import Domain

    from stores import conversation_index
    from stores.sql_tracker_store import PingingSQLTrackerStore

    tracker_store = PingingSQLTrackerStore(domain=Domain.load(str(PROJECT_DIR / "domain.yml")),
                                           dialect="sqlite", db=str(db))
    rng, now = random.Random(7), time.time()
    with tracker_store.session_scope() as session:
        for i in range(n):
            sender = f"bench-{i:06d}"
            events = _events(rng, i, now)
            session.bulk_insert_mappings(tracker_store.SQLEvent, [
                {"sender_id": sender, "type_name": e["event"], "timestamp": e["timestamp"],
                 "intent_name": (e.get("parse_data") or {}).get("intent", {}).get("name"),
                 "action_name": e.get("name"), "data": json.dumps(e, ensure_ascii=False)} for e in events])
            conversation_index.update(session, sender, events)
        session.commit()


def timed(route: str, repeats: int = REPEATS) -> Dict[str, float]:
    from desk import http

    times, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        status, answer = http.handle("GET", f"/agent/api/{route}", {"Authorization": "Bearer bench-desk"}, b"")
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, answer
    times.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "answer": answer}


def run(n: int = 100_000) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "desk.db"
        started = time.monotonic()
        store(db, n)
        stored_s = time.monotonic() - started
        os.environ.update(TRACKER_DB=str(db), TRACKER_DB_URL="", BIND_HOST="127.0.0.1", AGENT_TOKEN="bench-desk")
        from scripts.rasa_env import settings
        for key, value in settings(os.environ).items():
            os.environ.setdefault(key, value)
        handoffs, figures = timed("handoffs"), timed("stats")
    result = {
        "conversations": n, "store_s": round(stored_s, 1),
        "handoffs": {"p50_ms": round(handoffs["p50_ms"], 1), "p95_ms": round(handoffs["p95_ms"], 1),
                     "waiting": handoffs["answer"]["total"], "listed": len(handoffs["answer"]["handoffs"])},
        "stats": {"p50_ms": round(figures["p50_ms"], 1), "p95_ms": round(figures["p95_ms"], 1),
                  "conversations": figures["answer"]["conversations"]},
    }
    result["met"] = result["handoffs"]["p50_ms"] < TARGET_MS and result["stats"]["p50_ms"] < TARGET_MS
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000), indent=2))
