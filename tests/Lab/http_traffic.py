#!/usr/bin/env python3
"""Bounded HTTP/1.1 traffic for TcpReplay labs (standard library only).

Run inside the lab's client namespace. Opens --connections TCP connections to --server:--port,
at most --concurrency at a time, and sends 1..K GET requests on each, reading every response
in full (Content-Length or chunked). How each connection ends is planned up front from --seed:

  close    the client closes with FIN after its last response; about half of these send
           "Connection: close" on the last request, so the server closes first
  reset    the client closes with RST (SO_LINGER on, linger 0), never sending "Connection: close"
  cutoff   the connection is left open, no FIN and no RST, until the script is told to finish
           (SIGTERM, SIGINT, or --hold-seconds elapsed); only then is it closed

Exactly round(N * --reset-fraction) connections reset and round(N * --cutoff-fraction) are cut off.

Output on stdout, one JSON object per line:
  {"phase": "holding", ...}  once every connection has done its work (the cut-off ones are open);
                             a capture stopped now sees the cut-off connections unfinished
  {"phase": "done", ...}     at the end, with the counts and, with --details, one record per
                             connection (local port, planned end, requests, responses, error)

Exit status: 0 when every connection did what was planned, 1 when some failed (see errors) or
a signal cut the work short, 2 for bad arguments, 3 when the --deadline ran out (the summary is
still printed).
Only 198.18.0.0/15 servers are accepted: this is a lab tool.
"""

import argparse
import ipaddress
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

LAB_NETWORK = ipaddress.ip_network("198.18.0.0/15")
DEFAULT_PATHS = "/,/,/,/static/4k.bin,/static/64k.bin"
# Past the deadline, workers get this long to notice before the process ends regardless.
HARD_EXIT_GRACE_SECONDS = 5.0
MAX_HEADER_BYTES = 64 * 1024


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        return self.end - time.monotonic()

    def expired(self):
        return self.remaining() <= 0


class ResponseError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="server address, inside 198.18.0.0/15")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--requests-per-connection-max", type=int, default=5)
    p.add_argument("--reset-fraction", type=float, default=0.1)
    p.add_argument("--cutoff-fraction", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds allowed for each connect, send and receive")
    p.add_argument("--deadline", type=float, default=60.0,
                   help="seconds allowed for all the work before the hold; the run stops when it ends")
    p.add_argument("--hold-seconds", type=float, default=30.0,
                   help="how long cut-off connections stay open unless SIGTERM/SIGINT comes first")
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--paths", default=DEFAULT_PATHS,
                   help="comma-separated request targets, chosen at random (repeat one to weight it)")
    p.add_argument("--details", action="store_true", help="include one record per connection")
    a = p.parse_args(argv)
    try:
        addr = ipaddress.ip_address(a.server)
    except ValueError:
        p.error("--server must be an IPv4 address")
    if addr not in LAB_NETWORK:
        p.error(f"--server {a.server} is outside {LAB_NETWORK}; this tool only talks to lab addresses")
    if not 1 <= a.port <= 65535:
        p.error("--port must be 1..65535")
    if a.connections < 1 or a.requests_per_connection_max < 1 or a.concurrency < 1:
        p.error("--connections, --requests-per-connection-max and --concurrency must be at least 1")
    if not (0 <= a.reset_fraction <= 1 and 0 <= a.cutoff_fraction <= 1
            and a.reset_fraction + a.cutoff_fraction <= 1):
        p.error("--reset-fraction and --cutoff-fraction must be in 0..1 and add up to at most 1")
    if a.timeout <= 0 or a.deadline <= 0 or a.hold_seconds < 0:
        p.error("--timeout and --deadline must be positive, --hold-seconds not negative")
    a.path_list = [x for x in a.paths.split(",") if x]
    if not a.path_list or any(not x.startswith("/") for x in a.path_list):
        p.error("--paths must be a comma-separated list of targets starting with '/'")
    return a


def plan_connections(a):
    """Every random choice is made here, in one thread, so a seed always gives the same plan."""
    rng = random.Random(a.seed)
    n = a.connections
    resets = round(n * a.reset_fraction)
    cutoffs = round(n * a.cutoff_fraction)
    ends = ["reset"] * resets + ["cutoff"] * cutoffs + ["close"] * (n - resets - cutoffs)
    rng.shuffle(ends)
    plans = []
    for i, end in enumerate(ends):
        count = rng.randint(1, a.requests_per_connection_max)
        # Only a normal close may ask the server to close: a reset or a cut-off connection must
        # still be open on both sides when the client acts (or doesn't).
        server_closes = end == "close" and rng.random() < 0.5
        plans.append({
            "index": i,
            "end": end,
            "paths": [rng.choice(a.path_list) for _ in range(count)],
            "server_closes": server_closes,
        })
    return plans


def recv_until_headers(sock, buf):
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEADER_BYTES:
            raise ResponseError("response headers longer than 64 KiB")
        chunk = sock.recv(65536)
        if not chunk:
            raise ResponseError("connection closed before the response headers ended")
        buf += chunk
    return buf


def recv_exact(sock, buf, n):
    while len(buf) < n:
        chunk = sock.recv(max(65536, n - len(buf)))
        if not chunk:
            raise ResponseError(f"connection closed {n - len(buf)} bytes before the body ended")
        buf += chunk
    return buf


def recv_line(sock, buf):
    while b"\r\n" not in buf:
        if len(buf) > MAX_HEADER_BYTES:
            raise ResponseError("chunk size line longer than 64 KiB")
        chunk = sock.recv(65536)
        if not chunk:
            raise ResponseError("connection closed inside a chunked body")
        buf += chunk
    line, _, rest = buf.partition(b"\r\n")
    return line, rest


def read_response(sock, buf):
    """Reads one response; returns (status, keep_alive, leftover bytes)."""
    buf = recv_until_headers(sock, buf)
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ResponseError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ResponseError(f"bad header line {line!r}")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            line, buf = recv_line(sock, buf)
            size = int(line.split(b";")[0], 16)
            buf = recv_exact(sock, buf, size + 2)
            buf = buf[size + 2:]
            if size == 0:
                break
    elif "content-length" in headers:
        length = int(headers["content-length"])
        buf = recv_exact(sock, buf, length)
        buf = buf[length:]
    elif status in (204, 304) or 100 <= status < 200:
        pass
    else:
        raise ResponseError("response without Content-Length or chunked encoding")
    return status, keep_alive, buf


def run_connection(a, plan, deadline, stop, record, holding):
    sock = None
    try:
        if deadline.expired() or stop.is_set():
            raise TimeoutError("stopped (deadline or signal) before the connection started")
        sock = socket.create_connection((a.server, a.port), timeout=min(a.timeout, deadline.remaining()))
        record["port"] = sock.getsockname()[1]
        buf = b""
        last = len(plan["paths"]) - 1
        for i, path in enumerate(plan["paths"]):
            if stop.is_set():
                raise TimeoutError("stopped (deadline or signal) between requests")
            close = i == last and plan["server_closes"]
            request = (f"GET {path} HTTP/1.1\r\nHost: {a.server}:{a.port}\r\n"
                       f"User-Agent: tcpreplay-lab/1\r\n"
                       f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode("ascii")
            sock.settimeout(max(0.05, min(a.timeout, deadline.remaining())))
            sock.sendall(request)
            record["requests"] += 1
            status, keep_alive, buf = read_response(sock, buf)
            if 200 <= status < 300:
                record["responses_ok"] += 1
            else:
                record["responses_other"] += 1
            if not keep_alive and i != last:
                raise ResponseError(f"server closed the connection after request {i + 1} of {last + 1}")
        end = plan["end"]
        if end == "reset":
            # l_onoff=1, l_linger=0: close() discards the socket at once and sends RST (tcp(7)).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            sock = None
        elif end == "cutoff":
            holding.append(sock)
            sock = None
        else:
            if plan["server_closes"]:
                # The server closes first: wait for its FIN so the close order is what was planned.
                sock.settimeout(max(0.05, min(a.timeout, deadline.remaining())))
                if sock.recv(1):
                    raise ResponseError("data after a Connection: close response")
            sock.close()
            sock = None
        record["outcome"] = end
    except (OSError, ResponseError, ValueError) as e:
        record["outcome"] = "error"
        record["error"] = f"{type(e).__name__}: {e}"
    finally:
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


def summarize(phase, a, records, started, deadline_exceeded):
    outcomes = [r["outcome"] for r in records]
    errors = [r for r in records if r["outcome"] == "error"]
    s = {
        "phase": phase,
        "server": a.server,
        "port": a.port,
        "seed": a.seed,
        "connections": len(records),
        "connections_attempted": sum(1 for r in records if r["outcome"] != "not-started"),
        "requests_sent": sum(r["requests"] for r in records),
        "responses_ok": sum(r["responses_ok"] for r in records),
        "responses_other": sum(r["responses_other"] for r in records),
        "closes": outcomes.count("close"),
        "resets": outcomes.count("reset"),
        "cutoffs": outcomes.count("cutoff"),
        "errors": len(errors),
        "error_samples": [r["error"] for r in errors[:5]],
        "deadline_exceeded": deadline_exceeded,
        "elapsed_seconds": round(time.monotonic() - started, 3),
    }
    if a.details:
        s["details"] = [{k: r[k] for k in ("index", "port", "planned", "server_closes", "outcome",
                                           "requests", "responses_ok", "error")} for r in records]
    return s


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(argv):
    a = parse_args(argv)
    started = time.monotonic()
    deadline = Deadline(a.deadline)
    stop = threading.Event()       # the deadline ran out, or a signal came: workers give up
    release = threading.Event()    # SIGTERM/SIGINT: end the hold now (or skip it)

    def on_signal(signum, frame):
        release.set()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # A worker stuck in the kernel cannot outlive the deadline (plus the hold) by more than the grace.
    watchdog = threading.Timer(a.deadline + a.hold_seconds + HARD_EXIT_GRACE_SECONDS,
                               lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()

    plans = plan_connections(a)
    records = [{"index": p["index"], "port": None, "planned": p["end"], "server_closes": p["server_closes"],
                "outcome": "not-started", "requests": 0, "responses_ok": 0, "responses_other": 0,
                "error": None} for p in plans]
    holding = []  # list.append is atomic under the GIL
    # A fixed set of worker threads takes the next planned connection in turn: nothing is queued
    # ahead, so a deadline or a signal stops the work at once, whatever --connections is.
    lock = threading.Lock()
    state = {"next": 0, "running": 0, "finished": 0}
    all_done = threading.Event()

    def worker():
        while not stop.is_set() and not deadline.expired():
            with lock:
                i = state["next"]
                if i >= len(plans):
                    return
                state["next"] += 1
                state["running"] += 1
            try:
                run_connection(a, plans[i], deadline, stop, records[i], holding)
            finally:
                with lock:
                    state["running"] -= 1
                    state["finished"] += 1
                    if state["finished"] == len(plans):
                        all_done.set()

    workers = [threading.Thread(target=worker, name=f"conn-{k}", daemon=True)
               for k in range(min(a.concurrency, a.connections))]
    for t in workers:
        t.start()
    # Short slices, so that a signal during the work phase is acted on promptly.
    while not all_done.is_set() and not stop.is_set() and not deadline.expired():
        all_done.wait(timeout=min(0.2, max(0.0, deadline.remaining())))
    unfinished = not all_done.is_set()
    deadline_exceeded = unfinished and not release.is_set()
    if unfinished:
        stop.set()
    # Running connections see `stop` between requests, or their socket timeout (capped by the deadline).
    settle = Deadline(a.timeout + 1)
    for t in workers:
        t.join(timeout=max(0.0, settle.remaining()))
    interrupted = release.is_set()

    holding_summary = summarize("holding", a, records, started, deadline_exceeded)
    holding_summary["interrupted"] = interrupted
    emit(holding_summary)
    if holding:
        release.wait(timeout=a.hold_seconds)
    for s in holding:
        try:
            s.close()
        except OSError:
            pass
    watchdog.cancel()
    summary = summarize("done", a, records, started, deadline_exceeded)
    summary["interrupted"] = interrupted
    emit(summary)
    if deadline_exceeded:
        return 3
    return 1 if summary["errors"] or interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
