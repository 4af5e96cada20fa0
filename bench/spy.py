"""Where a Rasa server's time goes under load: py-spy samples, grouped by what the code does.

``profile(pid, run_load)`` samples the process while ``run_load()`` sends messages
and returns each group's CPU milliseconds per message handled. Groups are
exclusive (a sample counts for the first group whose pattern is in its stack),
so the rows add up to the process's busy time per message.
"""
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

RATE = 50  # samples per second (py-spy pauses the process for each; more would slow it)

# (group, substrings of a stack that put a sample in it), in order of precedence.
GROUPS: List[Tuple[str, Tuple[str, ...]]] = [
    ("NLU: ResponseSelector (TensorFlow)", ("response_selector.py",)),
    ("NLU: DIET intent classifier (TensorFlow)", ("diet_classifier.py",)),
    ("NLU: tokenizer, featurizers, project components", ("parse_message (rasa/core/processor.py",)),
    ("tracker store: read the conversation", ("get_tracker (rasa/core/processor.py", "retrieve (")),
    ("tracker store: save the turn", ("save_tracker (rasa/core/processor.py", "save (rasa/core/tracker_store.py")),
    ("action server calls (HTTP, JSON, answer check)", ("rasa/core/actions/action.py", "rasa/core/actions/loops.py",
                                                          "rasa/core/actions/forms.py")),
    ("dialogue policies", ("_predict_next_with_tracker", "predict_next_with_tracker_if_should")),
    ("HTTP server, channels, event loop, the rest", ("",)),
]


def group_of(stack: str) -> str:
    for name, patterns in GROUPS:
        if any(pattern in stack for pattern in patterns):
            return name
    return GROUPS[-1][0]


def summarize(raw: str) -> Dict[str, int]:
    """py-spy's raw output ("frame;frame;… count" per line) → samples per group."""
    counts: Dict[str, int] = collections.Counter()
    for line in raw.splitlines():
        stack, _, number = line.rstrip().rpartition(" ")
        if stack and number.isdigit():
            counts[group_of(stack)] += int(number)
    return dict(counts)


def py_spy() -> Optional[str]:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


def _sampler(spy: str, pid: int, seconds: float, out: Path) -> subprocess.Popen:
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", str(RATE), "--duration", str(int(seconds)),
                             "--format", "raw", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile(pid: int, run_load: Callable[[], Dict], seconds: float, others: Optional[Dict[str, int]] = None) -> Dict:
    """Sample ``pid`` while ``run_load()`` runs (it should last about ``seconds``); ``others``
    (name → pid: the action server) are sampled too and reported as busy time per message."""
    spy = py_spy()
    if spy is None:
        return {"error": "py-spy is not installed"}
    others = others or {}
    with tempfile.TemporaryDirectory() as tmp:
        outs = {name: Path(tmp) / f"{name}.txt" for name in ["rasa", *others]}
        samplers = {name: _sampler(spy, target, seconds, outs[name])
                    for name, target in [("rasa", pid), *others.items()]}
        time.sleep(1)  # attached before the load starts
        load = run_load()
        errors = {}
        for name, sampler in samplers.items():
            try:
                _, error = sampler.communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                sampler.kill()
                error = b"did not finish"
            if sampler.returncode != 0 or not outs[name].exists():
                errors[name] = error.decode(errors="replace").strip()[-300:]
        if "rasa" in errors:
            return {"error": f"py-spy failed: {errors['rasa']}"}
        samples = summarize(outs["rasa"].read_text(encoding="utf-8", errors="replace"))
        other_samples = {name: sum(summarize(outs[name].read_text(encoding="utf-8", errors="replace")).values())
                         for name in others if name not in errors}
    messages = max(1, load["messages"])
    busy_ms = 1000 * sum(samples.values()) / RATE
    return {"messages": load["messages"], "per_second": load["per_second"], "busy_ms_per_message": busy_ms / messages,
            "ms_per_message": {name: 1000 * samples.get(name, 0) / RATE / messages for name, _ in GROUPS},
            "other_processes_ms_per_message": {name: 1000 * n / RATE / messages for name, n in other_samples.items()}}
