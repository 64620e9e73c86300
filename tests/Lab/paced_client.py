#!/usr/bin/env python3
"""Paced HTTP/1.1 keep-alive clients for the offline replay lab tests (standard library only).

Opens --connections connections to --server:--port at once (starts staggered over one --interval-ms), and on
each sends --requests GET requests, one every --interval-ms (with +-20 % jitter from --seed), reading each
response in full. After the last response a connection stays open for a hold drawn from
[--hold-min, --hold-max] seconds and then closes with FIN. This gives a capture a steady timeline of small
client data packets (timing fidelity) and closes that come well after the last answer (the close rule).

Prints one JSON line at the end: {"connections": N, "requests": R, "errors": E, "seconds": S}.
Exit status 0 when every request got its response. Only 198.18.0.0/15 servers are accepted: a lab tool.
"""

import argparse
import ipaddress
import json
import random
import socket
import sys
import threading
import time

LAB_NETWORK = ipaddress.ip_network("198.18.0.0/15")


def read_response(sock, buffer):
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        rest += chunk
    return rest[length:]


def run_connection(index, args, plan, results):
    rng = random.Random(args.seed * 1000 + index)
    time.sleep(index * args.interval_ms / 1000.0 / max(1, args.connections))
    done = 0
    try:
        with socket.create_connection((args.server, args.port), timeout=10) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = b""
            next_at = time.monotonic()
            for r in range(args.requests):
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                sock.sendall(f"GET /?c={index}&r={r} HTTP/1.1\r\nHost: lab\r\n\r\n".encode())
                buffer = read_response(sock, buffer)
                done += 1
                next_at += args.interval_ms / 1000.0 * rng.uniform(0.8, 1.2)
            time.sleep(plan[index])
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(5)
            while sock.recv(65536):
                pass
        results[index] = (done, None)
    except OSError as error:
        results[index] = (done, str(error))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="198.18.0.20")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--interval-ms", type=float, default=30.0)
    parser.add_argument("--hold-min", type=float, default=0.0)
    parser.add_argument("--hold-max", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if ipaddress.ip_address(args.server) not in LAB_NETWORK:
        print(f"{args.server} is not in {LAB_NETWORK}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    plan = [rng.uniform(args.hold_min, args.hold_max) for _ in range(args.connections)]
    results = [None] * args.connections
    started = time.monotonic()
    threads = [threading.Thread(target=run_connection, args=(i, args, plan, results)) for i in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    requests = sum(r[0] for r in results)
    errors = [r[1] for r in results if r[1]]
    print(json.dumps({"connections": args.connections, "requests": requests, "errors": len(errors),
                      "first_error": errors[0] if errors else None, "seconds": round(time.monotonic() - started, 3)}))
    return 0 if not errors and requests == args.connections * args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
