"""Reply time of this working tree against an earlier revision, side by side in one run.

    .venv/bin/python bench/compare_revisions.py REV [ROUNDS]

Checks REV out into a git worktree under results/ (sharing this .venv), trains
its model there, starts both bots with their own serve.sh on free ports, and
sends the same conversations (bench/speed.py's) to both, one seller at a time,
alternating which goes first each round. Prints p50 / p95 / mean per bot and
the p50 of each message. On a shared, noisy machine only this interleaved
comparison says whether a change made replies slower.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.speed import CONVERSATIONS, percentile  # noqa: E402
from tests.bot_server import free_port  # noqa: E402


def prepare(revision: str) -> Path:
    """A worktree of ``revision`` with this .venv, the widget's socket.io client and a trained model."""
    tree = PROJECT_DIR / "results" / f"rev-{revision}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=PROJECT_DIR, check=True)
        (tree / ".venv").symlink_to(PROJECT_DIR / ".venv")
        vendor = tree / "web" / "widget" / "vendor"
        vendor.mkdir(parents=True, exist_ok=True)
        (vendor / "socket.io.min.js").write_bytes(
            (PROJECT_DIR / "web" / "widget" / "vendor" / "socket.io.min.js").read_bytes())
    if not (tree / "models" / "zqbz.tar.gz").exists():
        subprocess.run([str(tree / ".venv" / "bin" / "rasa"), "train", "--fixed-model-name", "zqbz", "--out",
                        "models"], cwd=tree, check=True, stdout=subprocess.DEVNULL)
    return tree


def start(tree: Path, log: Path) -> Tuple[subprocess.Popen, str]:
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT")}
    env = {key: value for key, value in os.environ.items() if key not in ("ACTION_ENDPOINT_URL", "WIDGET_ORIGINS")}
    env.update(ports, TRACKER_DB=str(log.with_suffix(".db")))
    process = subprocess.Popen([str(tree / "scripts" / "serve.sh")], cwd=tree, env=env, stdout=open(log, "wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            urllib.request.urlopen(f"http://127.0.0.1:{ports['ACTION_PORT']}/health", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{tree} did not start; see {log}")


def send(url: str, sender: str, text: str) -> float:
    request = urllib.request.Request(url + "/webhooks/rest/webhook", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"sender": sender, "message": text}).encode("utf-8"))
    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=60).read()
    return (time.perf_counter() - started) * 1000


def compare(revision: str, rounds: int = 10) -> Dict[str, object]:
    """Both bots' reply times over the same conversations, interleaved: totals and each message's p50."""
    trees = {f"{revision}": prepare(revision), "this tree": PROJECT_DIR}
    bots = {name: start(tree, PROJECT_DIR / "results" / f"compare-{i}.log") for i, (name, tree) in
            enumerate(trees.items())}
    times: Dict[str, List[float]] = {name: [] for name in bots}
    per_text: Dict[str, Dict[str, List[float]]] = {name: {} for name in bots}
    try:
        for _, url in bots.values():  # warm up both
            for conversation in CONVERSATIONS:
                sender = uuid.uuid4().hex
                for text in conversation:
                    send(url, sender, text)
        for index in range(rounds):
            order = list(bots) if index % 2 == 0 else list(reversed(bots))
            for conversation in CONVERSATIONS:
                for name in order:
                    sender = uuid.uuid4().hex
                    for text in conversation:
                        elapsed = send(bots[name][1], sender, text)
                        times[name].append(elapsed)
                        per_text[name].setdefault(text, []).append(elapsed)
    finally:
        for process, _ in bots.values():
            os.killpg(process.pid, signal.SIGTERM)
    return {
        "revision": revision,
        "rounds": rounds,
        "bots": {name: {"replies": len(values), "p50_ms": statistics.median(values),
                        "p95_ms": percentile(values, 0.95), "mean_ms": statistics.mean(values)}
                 for name, values in times.items()},
        "per_message": [{"text": text, **{name: statistics.median(per_text[name][text]) for name in bots}}
                        for text in per_text["this tree"]],
    }


def main() -> None:
    result = compare(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    names = list(result["bots"])
    for name, r in result["bots"].items():
        print(f"{name}: {r['replies']} replies, p50 {r['p50_ms']:.1f} ms, "
              f"p95 {r['p95_ms']:.1f} ms, mean {r['mean_ms']:.1f} ms")
    print("p50 per message: " + " | ".join(names))
    for row in result["per_message"]:
        print(f"  {row['text']}: " + " | ".join(f"{row[name]:.1f}" for name in names))


if __name__ == "__main__":
    main()
