#!/usr/bin/env python3
"""Compares the WebSocket client traffic a target received with the client traffic it copies, session by session.

  streaming_timing.py ORIGINAL TARGET --port 8080 [--target-port 8080] [--speed 1]

ORIGINAL: a capture of the client's packets to the online server (tcpdump on the online host, or the file an offline
replay played). TARGET: tcpdump on the target of the copied packets. The copier keeps client ports and sequence
numbers, so a client segment is matched by (client port, sequence number).

Every time is taken from its connection's SYN in its own capture (the session's start), the original ones divided
by --speed. For each client segment that starts a WebSocket frame (client frames are masked, and each starts a
segment in this traffic):
- audio frames (binary, opcode 2): lateness = target time - original time, in ms; p50, p99, max over all matched;
- the Close frame (opcode 8) and the FIN: 'early' when the target got it sooner after its SYN than the original did,
  beyond --tolerance-ms (default 1: the two captures' timestamps come from two hosts' receive paths).

Prints one JSON object. Standard library only; the pcap reader is pcap_reader.py.
"""

import argparse
import json
import sys

from pcap_reader import packets, percentile

OPCODE_BINARY, OPCODE_CLOSE = 2, 8


class Side:
    """One capture's client packets toward a port: per client port, the SYN time, frame starts by sequence number
    (time, opcode), and the first FIN."""

    def __init__(self, path, port):
        self.syn, self.fin, self.frames = {}, {}, {}
        for t, _src, sport, dport, seq, flags, length, payload in packets(path):
            if dport != port:
                continue
            if flags & 0x02 and not flags & 0x10:
                self.syn.setdefault(sport, t)
            if flags & 0x01:
                self.fin.setdefault(sport, t)
            if length > 0 and payload and payload[0] & 0x80 and payload[0] & 0x70 == 0:
                # FIN bit set and no reserved bits: a frame header, not the middle of a frame or the HTTP upgrade.
                self.frames.setdefault((sport, seq), (t, payload[0] & 0x0F))

    def since_syn(self, port, t):
        return t - self.syn[port] if port in self.syn else None


def compare_close(original, target, port, o_time, t_time, speed, tolerance):
    wanted = original.since_syn(port, o_time) / speed
    got = target.since_syn(port, t_time)
    return (got - wanted) * 1000, got < wanted - tolerance / 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("original")
    parser.add_argument("target")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--target-port", type=int)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--tolerance-ms", type=float, default=1.0)
    args = parser.parse_args()
    original = Side(args.original, args.port)
    target = Side(args.target, args.target_port or args.port)

    lateness, unmatched_frames = [], 0
    close_slack, close_early, fin_slack, fin_early = [], [], [], []
    for (port, seq), (o_time, opcode) in original.frames.items():
        if port not in original.syn or port not in target.syn:
            continue
        seen = target.frames.get((port, seq))
        if seen is None:
            unmatched_frames += opcode == OPCODE_BINARY
            continue
        if opcode == OPCODE_BINARY:
            lateness.append((target.since_syn(port, seen[0]) - original.since_syn(port, o_time) / args.speed) * 1000)
        elif opcode == OPCODE_CLOSE:
            slack, early = compare_close(original, target, port, o_time, seen[0], args.speed, args.tolerance_ms)
            close_slack.append(slack)
            if early:
                close_early.append({"port": port, "slack_ms": round(slack, 3)})
    for port, o_time in original.fin.items():
        if port in original.syn and port in target.syn and port in target.fin:
            slack, early = compare_close(original, target, port, o_time, target.fin[port], args.speed, args.tolerance_ms)
            fin_slack.append(slack)
            if early:
                fin_early.append({"port": port, "slack_ms": round(slack, 3)})

    def summary(values):
        return {"count": len(values), "min_ms": min(values) if values else None, "p50_ms": percentile(values, 0.5),
                "p99_ms": percentile(values, 0.99), "max_ms": max(values) if values else None}

    result = {
        "sessions_original": len(original.syn),
        "sessions_target": len(target.syn),
        "audio_frames": summary(lateness),
        "audio_frames_unmatched": unmatched_frames,
        "close_frames": summary(close_slack),
        "close_frames_early": len(close_early),
        "close_frames_early_examples": close_early[:5],
        "fins": summary(fin_slack),
        "fins_early": len(fin_early),
        "fins_early_examples": fin_early[:5],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
