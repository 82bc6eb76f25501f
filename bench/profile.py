"""`make profile`: where the CPU goes in each process while drafts and submits run.

Starts the journey's stack as bench.apply does, makes orders ready, then
samples every process with py-spy (`--subprocesses` follows gunicorn's
workers) while drafts, then submits, run under the benchmark's load. For
each phase and process it prints the CPU used (samples at RATE Hz, so
busy samples / RATE = seconds of work, waits left out), per request, and the functions with the most
samples (self and inclusive). Beside the samples it prints each process's
CPU time per request as the kernel counts it (/proc, the process and its
gunicorn workers): py-spy counts a thread waiting for the GIL or for a core
on a busy machine as busy, the kernel does not, so the CPU column is the one
to add up against the bare baseline's. `--no-spy` measures the CPU alone,
without py-spy's own load on the machine. The raw collapsed stacks stay in the output
directory (flame graphs: `py-spy record -f flamegraph`, or any collapsed-stack
viewer); they are measurements of one machine, not files to commit.

    python -m bench.profile [--drafts 400] [--submits 120] [--out /tmp/profile] [--no-spy]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.apply import Applicant, rate, ready_orders, start_stack
from common.processes import Stack

# py-spy beside this interpreter (a virtualenv not activated), or on the PATH.
SPY = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
RATE = 250
# The processes a draft or a submit keeps busy (a name prefix of the stack's processes).
WATCHED = ["gateway-web", "orders-web", "catalog-web", "orders-worker", "verification-worker"]
OURS = ("common/", "gateway/", "orders/", "catalog/", "verification/")
# Leaf frames that wait rather than work: py-spy samples some of them even
# without --idle (a thread blocked in C), so they are left out of the busy time.
WAITING = (
    "wait_for_signals", "SyncWorker.wait", "Condition.wait", "PollPoller.poll",
    "Connection.wait (psycopg", "SocketIO.readinto", "close_graceful",
    "create_connection", "select (", "Event.wait", "_wait_for_tstate_lock", "Queue.get",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=400)
    parser.add_argument("--submits", type=int, default=120)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "profile")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--no-spy", action="store_true", help="CPU per process only")
    args = parser.parse_args()
    if SPY is None and not args.no_spy:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        stack = start_stack(Path(tmp))
        try:
            client = Applicant(stack.url("gateway") + "/api/v1")
            ready = ready_orders(client, args.submits)
            client.draft()  # warm every cache and connection pool once
            phases: list[tuple[str, int, Callable[[int], Any]]] = [
                ("draft", args.drafts, lambda _: client.draft()),
                ("submit", args.submits, lambda i: client.submit(ready[i])),
            ]
            for phase, count, call in phases:
                seconds, per_second, cpu = _sampled(
                    stack, args.out / phase, count, call, spy=not args.no_spy
                )
                print(f"\n== {phase}: {count} in {seconds:.1f} s, {per_second:.1f}/s")
                print("   CPU ms per request (kernel's count): " + ", ".join(
                    f"{name} {1000 * used / count:.1f}" for name, used in cpu.items()
                ))  # fmt: skip
                for raw in sorted((args.out / phase).glob("*.txt")) if not args.no_spy else []:
                    print(_summary(raw, count, args.top))
        finally:
            stack.stop()
    print(f"\nraw stacks in {args.out}")


def _sampled(
    stack: Stack, out: Path, count: int, call: Callable[[int], Any], *, spy: bool = True
) -> tuple[float, float, dict[str, float]]:
    out.mkdir(parents=True, exist_ok=True)
    watched = [
        running
        for running in stack.processes
        if any(running.name.startswith(name) for name in WATCHED)
    ]
    spies = [_spy(running.process.pid, out / f"{running.name}.txt") for running in watched]
    if spies:
        time.sleep(1.0)  # py-spy attaches
    before = {running.name: _cpu_seconds(running.process.pid) for running in watched}
    client_before = time.process_time()
    started = time.perf_counter()
    per_second = rate(count, call)
    seconds = time.perf_counter() - started
    cpu = {
        running.name: _cpu_seconds(running.process.pid) - before[running.name]
        for running in watched
    }
    cpu["client"] = time.process_time() - client_before
    for running in spies:
        running.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for running in spies:
        running.wait(timeout=60)
    return seconds, per_second, cpu


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its live descendants (gunicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(times.get(member, 0.0) for member in tree)


def _spy(pid: int, path: Path) -> subprocess.Popen[bytes]:
    command = [str(SPY), "record", "--subprocesses", "--nonblocking", "-r", str(RATE)]
    command += ["-f", "raw", "-o", str(path), "-p", str(pid)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _summary(raw: Path, requests: int, top: int) -> str:
    selfs: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        samples = int(number)
        frames = [frame for frame in stack.split(";") if not frame.startswith("process ")]
        if frames and any(waiting in frames[-1] for waiting in WAITING):
            continue
        total += samples
        if frames:
            selfs[frames[-1]] += samples
        for frame in set(frames):
            if any(part in frame for part in OURS):
                inclusive[frame] += samples
    cpu_ms = total / RATE * 1000 / max(requests, 1)
    lines = [f"-- {raw.stem}: {total / RATE:.2f} busy s, {cpu_ms:.1f} busy ms per request"]
    lines += ["   self:"] + [_row(f, n, total) for f, n in selfs.most_common(top)]
    lines += ["   inclusive (ours):"] + [_row(f, n, total) for f, n in inclusive.most_common(top)]
    return "\n".join(lines)


def _row(frame: str, samples: int, total: int) -> str:
    return f"   {100 * samples / max(total, 1):5.1f}%  {frame[:150]}"


if __name__ == "__main__":
    main()
