"""The benchmark's account of where the cores went (bench/speed.py `cpu_seconds`): the worker-count finding in
docs/benchmarks.md rests on it, so it must put each process's CPU under the right part and miss none."""
import os
import subprocess
import sys
import time

from bench.speed import cpu_seconds

SPIN = "import time, sys\nend = time.process_time() + float(sys.argv[1])\nwhile time.process_time() < end: pass\n"


def test_a_busy_child_is_counted_under_the_part_its_command_names():
    before = cpu_seconds(os.getpid())
    # argv[2] names the part as serve.sh's command line would; the child burns 0.4 s of CPU.
    child = subprocess.Popen([sys.executable, "-c", SPIN, "0.4", "scripts/action_server.py"])
    deadline = time.monotonic() + 20
    while child.poll() is None and time.monotonic() < deadline:
        during = cpu_seconds(os.getpid())  # read while it runs: a process that has exited is no longer in the tree
        time.sleep(0.05)
    child.wait()
    assert during["actions"] - before["actions"] >= 0.2
    assert during["rasa"] == before["rasa"] and during["redis"] == before["redis"]
    assert during["machine"] - before["machine"] >= during["actions"] - before["actions"] - 0.05


def test_the_load_generators_own_work_counts_as_load():
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid())["load"] - before["load"] >= 0.15

