"""Event stream at agency scale (issue 10): 5,000 live streams, one and two server processes.

Run on demand (not collected by pytest):
    .venv/bin/python tests/bench/events.py [--streams 5000] [--workers 4] [--events 10]

Real server processes (`python -m server`) on loopback, real WebSocket clients in worker
processes (tests/bench/event_clients.py, one asyncio loop each, reconnecting like the desktop).
Each measured event is a meeting inviting every demo user, so it is addressed to all streams;
its latency is from just before the POST that writes it to each stream's arrival.

1. One process on SQLite, 5,000 streams: the server's CPU while idle, from the moment every
   stream has received a first event (connection set-up done) over two keep-alive intervals,
   sampled every 5 s (reference: the same server with no stream, measured in the same run),
   and how long an event takes to reach 95 % of the streams (reference: the POST's own round
   trip). The clients keep the desktop's heartbeat (aiohttp, desktop/api.py).
2. Two processes on one PostgreSQL database, half of the streams on each: an event written
   through one reaches the streams of the other (LISTEN/NOTIFY), p95.
3. While meetings keep being written, process B is restarted (SIGTERM) and then process A is
   killed (SIGKILL) and started again; every stream must end with exactly the events of the
   database after its start, in order: nothing lost, nothing duplicated.

Goals: idle CPU < 5 % of a core; 95 % reached < 250 ms; cross-process p95 < 300 ms; 0 lost or
duplicated. Prints the figures and writes tests/bench/results/events.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.postgres import create_database, postgres_cluster  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402
from tests.server.conftest import Api, api_for, meeting_body  # noqa: E402

RESULTS = ROOT / "tests" / "bench" / "results" / "events.json"
SERVER_ARGS = ["--access-ttl", "7200", "--log-level", "error"]
IDLE_SAMPLE = 5.0  # seconds per idle CPU sample
GOALS = {"idle_cpu_percent": 5.0, "p95_reach_ms": 250.0, "cross_process_p95_ms": 300.0}


class Workers:
    """Client processes, each holding a share of the streams."""

    def __init__(self, shares: list[list[list[Any]]]) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        script = str(ROOT / "tests" / "bench" / "event_clients.py")
        self.shares = shares
        self.procs = []
        for share in shares:
            proc = subprocess.Popen(
                [sys.executable, script],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(share) + "\n")
            proc.stdin.flush()
            self.procs.append(proc)

    def ask(self, command: str) -> list[Any]:
        """Send a command to every worker; their answers."""
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(command + "\n")
            proc.stdin.flush()
        answers = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"a client worker died (exit {proc.poll()})")
            answers.append(json.loads(line))
        return answers

    def wait_for(self, command: str, total: int, timeout: float) -> int:
        """Ask until the answers add up to `total` (or the timeout); the last sum."""
        deadline = time.monotonic() + timeout
        while True:
            got = sum(self.ask(command))
            if got >= total or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.flush()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def deal(entries: list[list[Any]], count: int) -> list[list[list[Any]]]:
    """Streams dealt round-robin to `count` workers."""
    return [entries[i::count] for i in range(count)]


@contextmanager
def workers(shares: list[list[list[Any]]]) -> Iterator[Workers]:
    """Start one client worker per share of streams; always stopped."""
    group = Workers(shares)
    try:
        yield group
    finally:
        group.close()


def sign_in_everyone(api: Api) -> tuple[Api, list[Api]]:
    """The secretary (who writes the meetings) and a client for every demo user."""
    secretary = api.login("chanhvp")
    users = secretary.get("/users").json()
    return secretary, [api.login(u["username"]) for u in users]


def meeting_for_all(secretary: Api, everyone: list[Api]) -> tuple[int, float, float]:
    """Write one event addressed to every user: (meeting id, time before, POST seconds)."""
    invitees = [u.user["id"] for u in everyone if u.user["id"] != secretary.user["id"]]
    body = meeting_body(secretary, invitees, "Họp toàn cơ quan")
    started = time.time()
    reply = secretary.post("/meetings", body)
    took = time.time() - started
    if reply.status != 201:
        raise RuntimeError(f"POST /meetings: {reply.status} {reply.body[:300]!r}")
    return int(reply.json()["id"]), started, took


def entries_for(url: str, everyone: list[Api], count: int) -> list[list[Any]]:
    """`count` streams spread over the users, each from the user's current position."""
    ws = url.replace("http", "ws", 1) + "/api/v1/events/ws"
    since = {u.user["id"]: u.get("/events?limit=1000").json()["last_seq"] for u in everyone}
    return [
        [ws, everyone[i % len(everyone)].token, since[everyone[i % len(everyone)].user["id"]]]
        for i in range(count)
    ]


def warm_up(group: Workers, secretaries: list[Api], everyone: list[Api], streams: int) -> None:
    """One uncounted event through each server: the first write of a process is slow (its
    first meeting, its first queries), which is start-up cost, not event delivery."""
    for secretary in secretaries:
        meeting, _, _ = meeting_for_all(secretary, everyone)
        group.wait_for(f"count {meeting}", streams, 60)


def cpu_percent(pid: int, seconds: float) -> float:
    """CPU used by a process over `seconds`, in % of one core."""
    proc = psutil.Process(pid)
    before = sum(proc.cpu_times()[:2])
    time.sleep(seconds)
    return round(100 * (sum(proc.cpu_times()[:2]) - before) / seconds, 2)


def cpu_series(pid: int, seconds: float, step: float) -> list[float]:
    """CPU of a process in consecutive `step`-second windows over `seconds`, % of one core:
    shows whether the process had settled (a flat series) and the keep-alive pings' rhythm."""
    return [cpu_percent(pid, step) for _ in range(max(1, round(seconds / step)))]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latencies(
    group: Workers, sent: dict[int, float], worker_ids: range | None = None
) -> list[float]:
    """Arrival minus send time in ms, over every stream of the chosen workers."""
    reports = group.ask("report")
    chosen = reports if worker_ids is None else [reports[i] for i in worker_ids]
    return [
        (t - sent[int(m)]) * 1000
        for report in chosen
        for m, times in report["arrivals"].items()
        if int(m) in sent
        for t in times
    ]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def single_process(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Part 1: one SQLite process, all streams on it."""
    with ServerProcess(workdir / "sqlite", extra_args=SERVER_ARGS) as server:
        secretary, everyone = sign_in_everyone(api_for(server))
        assert server.proc is not None
        pid = server.proc.pid
        idle_alone = cpu_percent(pid, min(args.idle_seconds, 20.0))
        entries = entries_for(server.url, everyone, args.streams)
        with workers(deal(entries, args.workers)) as group:
            started = time.monotonic()
            opened = group.wait_for("open", args.streams, 300)
            connect_s = round(time.monotonic() - started, 1)
            print(f"  {opened} streams open in {connect_s} s", flush=True)
            # "Open" is the client's view: the server still reads each stream's grant and
            # replays after the handshake. An event every stream received marks the end of that
            # work on the server; the idle window starts there.
            warm_up(group, [secretary], everyone, args.streams)
            idle_series = cpu_series(pid, args.idle_seconds, IDLE_SAMPLE)
            idle = round(statistics.fmean(idle_series), 2)
            print(f"  idle CPU {idle} % of a core (no streams: {idle_alone} %)", flush=True)
            print(f"  idle CPU per {IDLE_SAMPLE:g} s: {idle_series}", flush=True)
            sent: dict[int, float] = {}
            posts, reached_95, cpu_ms = [], [], []
            server_proc = psutil.Process(pid)
            for _ in range(args.events):
                cpu_before = sum(server_proc.cpu_times()[:2])
                meeting, before, took = meeting_for_all(secretary, everyone)
                sent[meeting] = before
                posts.append(took * 1000)
                group.wait_for(f"count {meeting}", args.streams, 30)
                cpu_ms.append((sum(server_proc.cpu_times()[:2]) - cpu_before) * 1000)
                per_event = latencies(group, {meeting: before})
                reached_95.append(percentile(per_event, 0.95))
                time.sleep(0.2)
            every = latencies(group, sent)
            rss = psutil.Process(pid).memory_info().rss
    result = {
        "streams_open": opened,
        "connect_seconds": connect_s,
        "server_rss_mb": round(rss / 2**20),
        "idle_cpu_percent": idle,
        "idle_cpu_percent_per_5_s": idle_series,
        "reference_idle_cpu_percent_no_streams": idle_alone,
        "deliveries": summary(every),
        "expected_deliveries": args.streams * args.events,
        "p95_reach_ms_per_event": [round(v, 1) for v in reached_95],
        "p95_reach_ms": round(statistics.median(reached_95), 1),
        "reference_post_ms_median": round(statistics.median(posts), 1),
        # Independent of what else the machine runs: the server's CPU for one POST and its
        # delivery to every stream (wall times above include waiting for a core).
        "server_cpu_ms_per_event_median": round(statistics.median(cpu_ms), 1),
    }
    print(f"  reach: {result['deliveries']}", flush=True)
    return result


def expected_seqs(user: Api, since: int) -> list[int]:
    """Every seq the database holds for this user after `since` (the truth for part 3)."""
    seqs: list[int] = []
    while True:
        page = user.get(f"/events?since={since}&limit=1000").json()
        seqs += [e["seq"] for e in page["events"]]
        if len(page["events"]) < 1000:
            return seqs
        since = page["last_seq"]


class Writer(threading.Thread):
    """Writes a meeting for all every `period` s through whichever server answers."""

    def __init__(self, clients: list[Api], everyone: list[Api], period: float) -> None:
        super().__init__(daemon=True)
        self.clients, self.everyone, self.period = clients, everyone, period
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            secretary = self.clients[turn % len(self.clients)]
            turn += 1
            try:
                meeting_for_all(secretary, self.everyone)
                self.written += 1
            except (OSError, RuntimeError):
                continue  # that process is down: the other one takes the next write
            self.stop.wait(self.period)


def two_processes(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Parts 2 and 3: two processes on one PostgreSQL database."""
    with postgres_cluster() as cluster:
        db = create_database(cluster)
        a = ServerProcess(workdir / "a", db=db, extra_args=SERVER_ARGS).start()
        b = ServerProcess(workdir / "b", db=db, seed=False, extra_args=SERVER_ARGS).start()
        try:
            secretary_a, everyone = sign_in_everyone(api_for(a))
            secretary_b = api_for(b).login("chanhvp")
            half = args.streams // 2
            on_a = entries_for(a.url, everyone, half)
            on_b = entries_for(b.url, everyone, args.streams - half)
            start = {u.user["id"]: e[2] for u, e in zip(everyone, on_a, strict=False)}
            # Workers [0, n) hold A's streams, [n, 2n) B's.
            n = max(1, args.workers // 2)
            with workers(deal(on_a, n) + deal(on_b, n)) as group:
                opened = group.wait_for("open", args.streams, 300)
                print(f"  {opened} streams open on A and B", flush=True)
                warm_up(group, [secretary_a, secretary_b], everyone, args.streams)
                through_a: dict[int, float] = {}
                through_b: dict[int, float] = {}
                for i in range(args.events):
                    secretary, sent = (
                        (secretary_a, through_a) if i % 2 == 0 else (secretary_b, through_b)
                    )
                    meeting, before, _ = meeting_for_all(secretary, everyone)
                    sent[meeting] = before
                    group.wait_for(f"count {meeting}", args.streams, 30)
                    time.sleep(0.2)
                a_to_b = latencies(group, through_a, range(n, 2 * n))
                b_to_a = latencies(group, through_b, range(n))
                same = latencies(group, through_a, range(n)) + latencies(
                    group, through_b, range(n, 2 * n)
                )
                print(f"  A->B {summary(a_to_b)}; B->A {summary(b_to_a)}", flush=True)
                restart = restart_both(args, a, b, group, [secretary_a, secretary_b], everyone)
                exactness = check_exact(group, everyone, start)
        finally:
            a.stop()
            b.stop()
    cross = a_to_b + b_to_a
    return {
        "streams_open": opened,
        "a_to_b": summary(a_to_b),
        "b_to_a": summary(b_to_a),
        "cross_process_p95_ms": summary(cross)["p95_ms"],
        "reference_same_process": summary(same),
        **restart,
        **exactness,
    }


def restart_both(
    args: argparse.Namespace,
    a: ServerProcess,
    b: ServerProcess,
    group: Workers,
    secretaries: list[Api],
    everyone: list[Api],
) -> dict[str, Any]:
    """Keep writing while B restarts (SIGTERM) and then A is killed and started again."""
    writer = Writer(secretaries, everyone, args.write_period)
    writer.start()
    time.sleep(1)
    b.restart()
    back_b = group.wait_for("open", args.streams, 120)
    time.sleep(1)
    a.kill()
    a.start()
    back_a = group.wait_for("open", args.streams, 120)
    time.sleep(1)
    writer.stop.set()
    writer.join()
    print(f"  restarts done: {writer.written} meetings written meanwhile", flush=True)
    return {"written_during_restarts": writer.written, "open_after_restarts": [back_b, back_a]}


def check_exact(group: Workers, everyone: list[Api], start: dict[int, int]) -> dict[str, Any]:
    """Every stream's seqs against the database's: lost, duplicated, out of order."""
    truth = {u.token: expected_seqs(u, start[u.user["id"]]) for u in everyone}
    entries = [e for share in group.shares for e in share]
    deadline = time.monotonic() + 60  # the last writes may still be on their way
    while True:
        streams = [s for report in group.ask("report") for s in report["streams"]]
        done = all(
            not truth[e[1]] or (seqs and seqs[-1] >= truth[e[1]][-1])
            for e, seqs in zip(entries, streams, strict=True)
        )
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    lost = duplicated = disordered = 0
    for (_, token, since), seqs in zip(entries, streams, strict=True):
        expected = [q for q in truth[token] if q > since]
        lost += len(set(expected) - set(seqs))
        duplicated += len(seqs) - len(set(seqs))
        disordered += int(seqs != sorted(seqs))
    return {
        "events_checked_per_stream": max(len(t) for t in truth.values()),
        "lost": lost,
        "duplicated": duplicated,
        "streams_out_of_order": disordered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--events", type=int, default=10)
    # Two whole keep-alive intervals of the server (30 s pings, server/cli.py).
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--write-period", type=float, default=0.1)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "streams": args.streams,
        "client_workers": args.workers,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(v, 1) for v in os.getloadavg()],
        "goals": GOALS,
    }
    with tempfile.TemporaryDirectory(prefix="hopdesk-bench-events-") as tmp:
        print("one process, SQLite", flush=True)
        result["single_process_sqlite"] = single_process(args, Path(tmp))
        if not args.skip_postgres:
            print("two processes, PostgreSQL", flush=True)
            result["two_processes_postgres"] = two_processes(args, Path(tmp))
    single = result["single_process_sqlite"]
    verdict = {
        "idle_cpu": single["idle_cpu_percent"] < GOALS["idle_cpu_percent"],
        "reach_95": single["p95_reach_ms"] < GOALS["p95_reach_ms"],
    }
    if "two_processes_postgres" in result:
        two = result["two_processes_postgres"]
        verdict["cross_process"] = two["cross_process_p95_ms"] < GOALS["cross_process_p95_ms"]
        verdict["exact_across_restarts"] = two["lost"] == two["duplicated"] == 0
    result["goals_met"] = verdict
    result["load_average_at_end"] = [round(v, 1) for v in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
