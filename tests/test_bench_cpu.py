"""The benchmark's account of where the cores went (bench/speed.py `cpu_seconds`): the worker-count finding in
docs/benchmarks.md rests on it, so it must put each process's CPU under the right part and miss none."""
import os
import subprocess
import sys
import time

from bench.speed import cpu_seconds

# Burns the given CPU seconds, says so, then waits (alive, so still in the tree) until its stdin closes.
SPIN = ("import sys, time\nend = time.process_time() + float(sys.argv[1])\nwhile time.process_time() < end: pass\n"
        "print('done', flush=True)\nsys.stdin.read()\n")


def test_a_busy_child_is_counted_under_the_part_its_command_names():
    before = cpu_seconds(os.getpid())
    # argv[2] names the part as serve.sh's command line would.
    child = subprocess.Popen([sys.executable, "-c", SPIN, "0.4", "scripts/action_server.py"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "done"
        during = cpu_seconds(os.getpid())
    finally:
        child.stdin.close()
        child.wait(timeout=20)
    assert during["actions"] - before["actions"] >= 0.35
    assert during["rasa"] == before["rasa"] and during["redis"] == before["redis"]
    assert during["machine"] - before["machine"] >= during["actions"] - before["actions"] - 0.05


def test_the_load_generators_own_work_counts_as_load():
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid())["load"] - before["load"] >= 0.15

