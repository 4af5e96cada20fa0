"""Speed, memory, training time and cold start, on this machine, over 127.0.0.1 only.

Load: simulated sellers each run a realistic conversation (FAQ questions, the
multi-turn exit check) over the REST channel; N sellers at once; bounded in
message count and time. The same load goes to a bare Rasa bot (3 intents, no
actions) as the reference for what Rasa itself costs.
"""
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from tests.bot_server import BotServer, free_port  # noqa: E402

CONVERSATIONS = [
    ["账期保障怎么退出"],
    ["退出后钱多久能用", "谢谢"],
    ["我能退出账期保障吗", "没有", "有", "交了保证金"],
    ["店里有个订单还在维权，能退出吗", "没有"],
    ["zqbz是什么", "退不掉账期保障怎么办"],
    ["88VIP怎么开通"],
    ["賬期保障怎麼關閉？？", "保证金怎么退"],
    ["帮我检查能不能退出", "不清楚", "没有"],
]
LEVELS = [1, 8, 32, 64]
MESSAGES_PER_LEVEL = 400
MAX_SECONDS_PER_LEVEL = 90
# Conversation length: 4 sellers, each conversation this many messages (a new seller id each time),
# LENGTH_MESSAGES messages per length. The turns cycle through questions and the exit check.
LENGTHS = [5, 20, 60, 120]
LENGTH_SELLERS = 4
LENGTH_MESSAGES = 480
LONG_TURNS = ["账期保障是什么", "我能退出账期保障吗", "没有", "没有", "交了保证金", "退出后钱多久能用", "保证金怎么退",
              "谢谢", "88VIP怎么开通", "退不掉账期保障怎么办"]
PROFILE_SECONDS = 20


# Each load level, conversation length and process count is run this many times, the bots taking turns (which
# one goes first rotates), and reported as the median of each figure: one run moved a ratio by ±0.15 here.
ROUNDS = 3


def median_run(runs: List[Dict]) -> Dict:
    """One row from repeated runs of ``load``: the median of each figure, errors and messages summed."""
    row: Dict = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        if key in ("errors", "messages"):
            row[key] = sum(values)
        elif isinstance(values[0], (int, float)):
            row[key] = statistics.median(values)
        else:
            row[key] = values[0]
    row["rounds"] = len(runs)
    row["per_second_range"] = [min(run["per_second"] for run in runs), max(run["per_second"] for run in runs)]
    return row


def side_by_side(targets: List[Tuple[str, str]], run_one) -> Dict[str, Dict]:
    """``run_one(url)`` ROUNDS times for each (name, url), the targets taking turns; the median row of each."""
    runs: Dict[str, List[Dict]] = {name: [] for name, _ in targets}
    for index in range(ROUNDS):
        turn = targets[index % len(targets):] + targets[:index % len(targets)]
        for name, url in turn:
            runs[name].append(run_one(url))
    return {name: median_run(rows) for name, rows in runs.items()}


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def _seller(session: aiohttp.ClientSession, url: str, budget: Dict, latencies: List[float],
                  errors: List[str], rng: random.Random, deadline: float, conversations: List[List[str]]) -> None:
    while budget["left"] > 0 and time.monotonic() < deadline:
        sender = f"bench-{rng.getrandbits(48):x}"
        for text in rng.choice(conversations):
            if budget["left"] <= 0:
                return
            budget["left"] -= 1
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": text}) as response:
                    await response.read()
                    if response.status != 200:
                        errors.append(f"HTTP {response.status}")
                        continue
            except Exception as error:  # noqa: BLE001 - counted, reported
                errors.append(type(error).__name__)
                continue
            latencies.append(time.perf_counter() - started)


async def load(url, sellers: int, messages: int, seed: int = 7, conversations: List[List[str]] = CONVERSATIONS,
               max_seconds: float = MAX_SECONDS_PER_LEVEL) -> Dict:
    """``url`` or a list of URLs: seller i always talks to URL i mod n (routing by sender).

    Each seller picks conversations from ``conversations``, each under a new seller id (``seed``
    makes the ids: use a new seed for each run against the same server)."""
    urls = url if isinstance(url, list) else [url]
    latencies: List[float] = []
    errors: List[str] = []
    budget = {"left": messages}
    timeout = aiohttp.ClientTimeout(total=60)
    started = time.monotonic()
    deadline = started + max_seconds
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*[_seller(session, urls[i % len(urls)], budget, latencies, errors,
                                       random.Random(seed * 1000 + i), deadline, conversations)
                               for i in range(sellers)])
    wall = time.monotonic() - started
    return {"sellers": sellers, "messages": len(latencies), "errors": len(errors),
            "p50_ms": 1000 * percentile(latencies, 0.50), "p95_ms": 1000 * percentile(latencies, 0.95),
            "p99_ms": 1000 * percentile(latencies, 0.99), "per_second": len(latencies) / wall}


def rss_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    for child in [pid] + _descendants(pid):
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]))
        except OSError:
            pass
    return total / 1024


def _descendants(pid: int) -> List[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
                    found.extend(_descendants(int(entry.name)))
            except (OSError, IndexError, ValueError):
                pass
    return found


def parse_speed(url: str, texts: List[str], token: str, rounds: int = 3) -> Dict:
    import urllib.parse
    import urllib.request

    times = []
    for _ in range(rounds):
        for text in texts:
            request = urllib.request.Request(f"{url}/model/parse?token={urllib.parse.quote(token)}",
                                             json.dumps({"text": text}).encode(),
                                             {"Content-Type": "application/json"})
            started = time.perf_counter()
            urllib.request.urlopen(request, timeout=30).read()
            times.append(time.perf_counter() - started)
    # The same texts through normalisation + jieba alone, in this process.
    import jieba

    from core.normalization import normalizer_for
    normalize = normalizer_for(str(PROJECT_DIR / "data" / "dict"))
    tokenizer = jieba.Tokenizer()
    for path in (PROJECT_DIR / "data" / "dict").glob("*.txt"):
        tokenizer.load_userdict(str(path))
    tokenizer.lcut("预热")
    front = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            tokenizer.lcut(normalize(text))
            front.append(time.perf_counter() - started)
    p50 = statistics.median(times)
    return {"p50_ms": 1000 * p50, "p95_ms": 1000 * percentile(times, 0.95),
            "normalise_jieba_ms": 1000 * statistics.median(front),
            "normalise_jieba_share": statistics.median(front) / p50}


def start_bare_bot(work: Path, sqlite: bool = False) -> Tuple[subprocess.Popen, str]:
    """The bare reference bot; with ``sqlite`` it keeps conversations in SQLite like the real bot."""
    bare = PROJECT_DIR / "bench" / "bare_bot"
    rasa = str(Path(sys.executable).parent / "rasa")
    model = work / "bare.tar.gz"
    if not model.exists():
        subprocess.run([rasa, "train", "--config", str(bare / "config.yml"), "--domain", str(bare / "domain.yml"),
                        "--data", str(bare / "data"), "--out", str(work), "--fixed-model-name", "bare"],
                       cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    store = ["--endpoints", str(bare / "endpoints.yml")] if sqlite else []
    env = {**os.environ, "BARE_TRACKER_DB": str(work / "bare-tracker.db")}
    process = subprocess.Popen([rasa, "run", "--model", str(model), "--interface", "127.0.0.1",
                                "--port", str(port), *store], cwd=work, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not BotServer._up(f"{url}/"):
        time.sleep(0.5)
    return process, url


# What `rasa train` reads: the NLU components import core/ (tests/test_layout.py checks this list).
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "components", "core", "actions")


def training_times(work: Path) -> Dict:
    """Full `rasa train` in a fresh copy (no cache), then again after changing one response."""
    copy = work / "train-copy"
    copy.mkdir(parents=True)
    for name in TRAINING_INPUTS:
        source = PROJECT_DIR / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / name)
    rasa = str(Path(sys.executable).parent / "rasa")
    env = {**os.environ, "PYTHONPATH": str(copy)}

    def train() -> float:
        started = time.monotonic()
        subprocess.run([rasa, "train", "--out", "models"], cwd=copy, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - started

    full = train()
    domain = (copy / "domain.yml").read_text(encoding="utf-8")
    (copy / "domain.yml").write_text(domain.replace("不客气，还有问题随时问我。", "不客气，有问题随时问我。"),
                                     encoding="utf-8")
    return {"full_s": full, "one_response_changed_s": train()}


def cold_start(work: Path) -> float:
    """`make run`'s serve.sh (model already trained) to the first answer over REST."""
    server = BotServer(work)
    started = time.monotonic()
    server.start()
    server.say("cold-start", "账期保障怎么退出")
    seconds = time.monotonic() - started
    server.stop_all()
    return seconds


def conversation_of(length: int) -> List[str]:
    return [LONG_TURNS[i % len(LONG_TURNS)] for i in range(length)]


def stored_bytes(db: Path) -> Dict:
    """The SQLite database's size per seller message (write-ahead log folded in first)."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = connection.execute("PRAGMA page_size").fetchone()[0]
        used = (connection.execute("PRAGMA page_count").fetchone()[0]
                - connection.execute("PRAGMA freelist_count").fetchone()[0])
        messages = connection.execute("SELECT count(*) FROM events WHERE type_name = 'user'").fetchone()[0]
        data = connection.execute("SELECT sum(length(CAST(data AS BLOB))) FROM events").fetchone()[0] or 0
    return {"messages": messages, "bytes_per_message": page * used / max(1, messages),
            "event_json_bytes_per_message": data / max(1, messages)}


def run(work: Path) -> Dict:
    from bench.spy import profile

    for name in ("cold", "bot"):
        (work / name).mkdir(parents=True, exist_ok=True)
    results: Dict = {"cold_start_s": cold_start(work / "cold")}
    bot = BotServer(work / "bot")
    bot.start("actions")
    bot.start("rasa")
    bare, bare_url = start_bare_bot(work)
    bare_sql, bare_sql_url = start_bare_bot(work, sqlite=True)
    seeds = iter(range(1, 10_000))  # every run talks as new sellers
    try:
        texts = [t for c in CONVERSATIONS for t in c]
        results["parse"] = parse_speed(bot.url, texts, bot.env["RASA_AUTH_TOKEN"])
        results["load"] = {"bot": [], "bare": [], "bare_sqlite": []}
        servers = [("bot", bot.url), ("bare", bare_url), ("bare_sqlite", bare_sql_url)]
        for level in LEVELS:  # side by side in one run, same load for all, ROUNDS times
            rows = side_by_side(servers, lambda url, level=level: asyncio.run(load(
                f"{url}/webhooks/rest/webhook", level, MESSAGES_PER_LEVEL, seed=next(seeds))))
            for name, row in rows.items():
                results["load"][name].append(row)
        results["lengths"] = {"bot": [], "bare_sqlite": []}
        for length in LENGTHS:
            rows = side_by_side(servers[::2], lambda url, length=length: asyncio.run(load(
                f"{url}/webhooks/rest/webhook", LENGTH_SELLERS, LENGTH_MESSAGES, seed=next(seeds),
                conversations=[conversation_of(length)], max_seconds=120)))
            for name, row in rows.items():
                results["lengths"][name].append({"length": length, **row})
        results["profile"] = {}
        actions = {"action server": _rasa_process(bot.processes["actions"].pid, b"action_server")}
        for name, url, pid, others in [("bot", bot.url, bot.processes["rasa"].pid, actions),
                                       ("bare_sqlite", bare_sql_url, bare_sql.pid, {})]:
            results["profile"][name] = profile(_rasa_process(pid), lambda url=url: asyncio.run(load(
                f"{url}/webhooks/rest/webhook", 32, 100_000, seed=next(seeds), max_seconds=PROFILE_SECONDS - 2)),
                PROFILE_SECONDS, others)
        results["stored"] = {"bot": stored_bytes(Path(bot.env["TRACKER_DB"])),
                             "bare_sqlite": stored_bytes(work / "bare-tracker.db")}
        results["memory_mb"] = {"rasa": rss_peak_mb(bot.processes["rasa"].pid),
                                "actions": rss_peak_mb(bot.processes["actions"].pid)}
    finally:
        bot.stop_all()
        for process in (bare, bare_sql):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    results["workers"] = workers(work / "workers", seeds)
    results["load"]["two_instances"] = two_instances(work / "cluster", seeds)
    results["training"] = training_times(work)
    return results


def _rasa_process(pid: int, name: bytes = b"rasa") -> int:
    """The Python process under ``pid`` (serve.sh → its supervisor → python) whose command names ``name``."""
    for candidate in [pid] + _descendants(pid):
        try:
            command = Path(f"/proc/{candidate}/cmdline").read_bytes()
        except OSError:
            continue
        if b"python" in command and name in command and b"serve.sh" not in command:
            return candidate
    return pid


CPU_ROLES = ((b"rasa_run.py", "rasa"), (b"action_server.py", "actions"), (b"redis-server", "redis"),
             (b"web_server.py", "web"))


def cpu_seconds(root: int) -> Dict[str, float]:
    """CPU seconds (user + system) used so far by each part under ``root`` (serve.sh's tree), by role; "load" is
    this process (the load generator), "machine" every core's busy time (/proc/stat: all but idle and iowait)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {role: 0.0 for _, role in CPU_ROLES}
    used["supervisors"] = 0.0
    for pid in [root] + _descendants(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        role = next((name for marker, name in CPU_ROLES if marker in command), "supervisors")
        used[role] += (int(fields[11]) + int(fields[12])) / tick
    own = os.times()
    used["load"] = own.user + own.system
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    used["machine"] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / tick
    return used


def load_with_cpu(root: int, *args, **kwargs) -> Dict:
    """``load(*args, **kwargs)``'s row, plus ``cpu_<role>``: the cores each part of the bot (and the load
    generator, and the whole machine) kept busy during it, on average."""
    before, started = cpu_seconds(root), time.monotonic()
    row = asyncio.run(load(*args, **kwargs))
    after, wall = cpu_seconds(root), time.monotonic() - started
    return {**row, **{f"cpu_{role}": (after[role] - before[role]) / wall for role in after}}


WORKER_LEVELS = [32, 64]
WORKER_SECONDS = 15  # per level and round: long enough that start-up effects do not decide the ratio


def workers(work: Path, seeds) -> Dict:
    """The bot as `SANIC_WORKERS=2 make run` starts it (local Redis lock store), against one process,
    started the same way one after the other, with nothing else running."""
    work.mkdir(parents=True, exist_ok=True)
    found: Dict = {"cores": os.cpu_count()}
    for count in (1, 2):
        (work / str(count)).mkdir(exist_ok=True)
        server = BotServer(work / str(count), {"SANIC_WORKERS": str(count), "REDIS_HOST": ""})
        try:
            server.start()
            deadline = time.monotonic() + 240
            while server.log().count("Rasa server is up and running") < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{count} Rasa processes did not all start; see {server.log_path}")
                time.sleep(1)
            asyncio.run(load(f"{server.url}/webhooks/rest/webhook", 4, 40, seed=next(seeds)))  # warm every process
            root = server.processes["all"].pid
            found[str(count)] = [median_run([load_with_cpu(root, f"{server.url}/webhooks/rest/webhook", level, 100_000,
                                                           seed=next(seeds), max_seconds=WORKER_SECONDS)
                                             for _ in range(ROUNDS)])
                                 for level in WORKER_LEVELS]
            found[f"rss_mb_{count}"] = _worker_rss_mb(root)
        finally:
            server.stop_all()
    return found


def _worker_rss_mb(pid: int) -> List[float]:
    """Resident memory of each Rasa process under ``pid``, in MB."""
    sizes = []
    for candidate in _descendants(pid):
        try:
            if b"rasa_run.py" not in Path(f"/proc/{candidate}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return sizes


CLUSTER_LEVELS = [8, 32, 64]


def two_instances(work: Path, seeds) -> List[Dict]:
    """The same load on the several-instance layout of docs/deploying.md: two Rasa servers, one action
    server, PostgreSQL tracker store and Redis lock store (tests/services.py), sellers
    routed by sender id. Run after the single-process levels, with those servers stopped."""
    from tests.services import PostgresServer, RedisServer

    work.mkdir(parents=True, exist_ok=True)
    postgres, redis = PostgresServer().start(), RedisServer().start()
    env = {"TRACKER_DB_URL": postgres.url, **redis.env()}
    first = BotServer(work, env)
    second = BotServer(work, env, action_port=first.action_port)
    try:
        first.start("actions")
        for server in (first, second):
            server.start("rasa")
        urls = [f"{server.url}/webhooks/rest/webhook" for server in (first, second)]
        return [asyncio.run(load(urls, level, MESSAGES_PER_LEVEL, seed=next(seeds))) for level in CLUSTER_LEVELS]
    finally:
        for server in (first, second):
            server.stop_all()
        postgres.stop()
        redis.stop()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
