#!/usr/bin/env python3
"""The reference for an offline replay at -Speed Max: plays the client data of a capture straight to a server,
every connection at once, each captured segment as its own segment (TCP_NODELAY, one send per segment, without
waiting for answers: the requests are pipelined as a Max replay sends them), and reads until every request is
answered. What this takes is what the server and its kernel need for the capture's packets, with no copier.
Run it where tcp_autocorking is off, or the kernel merges the sends into fewer, larger segments.

  pipelined_client.py CAPTURE --server 198.18.0.30 --port 8080 [--capture-port 8080] [--timeout 30]

Client segments: the capture's data segments to --capture-port, per client port, in sequence order, each
sequence number once. A request is a line starting "GET "; an answer is a status line "HTTP/1.". Prints one JSON object:
connections, requests, answers, seconds (first send to last answer). Standard library only.
"""

import argparse
import json
import socket
import threading
import time

from pcap_reader import packets


def client_streams(path, port):
    segments = {}
    for _t, _src, sport, dport, seq, _flags, length, payload in packets(path):
        if dport == port and length > 0:
            segments.setdefault(sport, {}).setdefault(seq, payload)
    return {sport: [by_seq[seq] for seq in sorted(by_seq)] for sport, by_seq in segments.items()}


def play(server, port, pieces, deadline, result):
    wanted = sum(piece.count(b"GET ") for piece in pieces)
    answers = 0
    tail = b""
    with socket.create_connection((server, port), timeout=max(0.1, deadline - time.monotonic())) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in pieces:
            conn.sendall(piece)
        while answers < wanted and time.monotonic() < deadline:
            conn.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = conn.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            # A status line split across two reads still counts once: keep the last bytes of the previous read.
            window = tail + data
            answers += window.count(b"HTTP/1.") - tail.count(b"HTTP/1.")
            tail = window[-8:]
    result.append((wanted, answers, time.monotonic()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("--server", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--capture-port", type=int, default=8080)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    streams = client_streams(args.capture, args.capture_port)
    results = []
    started = time.monotonic()
    deadline = started + args.timeout
    threads = [threading.Thread(target=play, args=(args.server, args.port, s, deadline, results)) for s in streams.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 1)
    print(json.dumps({
        "connections": len(streams),
        "requests": sum(r[0] for r in results),
        "answers": sum(r[1] for r in results),
        "seconds": (max(r[2] for r in results) - started) if results else None,
    }))


if __name__ == "__main__":
    main()
