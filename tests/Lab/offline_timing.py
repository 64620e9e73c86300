#!/usr/bin/env python3
"""Compares an offline replay, as tcpdump saw it on the target, with the capture it replayed.

  offline_timing.py CAPTURE TARGET --port 8080 --speed 1

CAPTURE: the original capture (client -> server packets to --port). TARGET: tcpdump on the target's side of
the replay (fake clients -> target, to --target-port, default --port). The copier keeps client ports and
sequence numbers, so a data segment is matched by (client port, sequence number).

Send-time error of a segment: (target time - capture time / speed) minus the smallest such difference over
all segments (the replay's own start offset and the copier's least latency): how late it went against the
capture's timeline. Reported in ms as p50, p99, max over client data segments, with the count matched.

Close check, per connection (client port): the time from its SYN to its FIN on the target, against the same
in the capture divided by speed; 'early' counts connections whose close came sooner than in the capture (more
than --tolerance-ms, default 0.2, for the two captures' timestamp rounding).

capture_requests lists the request targets (GET lines) in the capture's client data, to compare with what the
target's server logged. Prints one JSON object. Standard library only; the pcap reader is pcap_reader.py.
"""

import argparse
import json
import sys

from pcap_reader import packets, percentile


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("target")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--target-port", type=int)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--tolerance-ms", type=float, default=0.2)
    args = parser.parse_args()
    target_port = args.target_port or args.port

    captured = {}
    capture_syn, capture_fin = {}, {}
    capture_first = capture_last = capture_last_data = None
    client_packets = 0
    requests = set()
    for t, src, sport, dport, seq, flags, length, payload in packets(args.capture):
        if dport != args.port:
            continue
        client_packets += 1
        capture_first = t if capture_first is None else min(capture_first, t)
        capture_last = t if capture_last is None else max(capture_last, t)
        if flags & 0x02 and not flags & 0x10:
            capture_syn.setdefault(sport, t)
        if flags & 0x05 and sport not in capture_fin:
            capture_fin[sport] = t
        if length > 0:
            captured.setdefault((sport, seq), t)
            capture_last_data = t if capture_last_data is None else max(capture_last_data, t)
            for line in payload.split(b"\r\n"):
                if line.startswith(b"GET ") and line.endswith(b" HTTP/1.1"):
                    requests.add(line[4:-9].decode("ascii", "replace"))

    replayed = {}
    target_syn, target_fin = {}, {}
    target_first = target_last = target_last_data = None
    target_packets = 0
    for t, src, sport, dport, seq, flags, length, _ in packets(args.target):
        if dport != target_port:
            continue
        target_packets += 1
        target_first = t if target_first is None else min(target_first, t)
        target_last = t if target_last is None else max(target_last, t)
        if flags & 0x02 and not flags & 0x10:
            target_syn.setdefault(sport, t)
        if flags & 0x05 and sport not in target_fin:
            target_fin[sport] = t
        if length > 0:
            replayed.setdefault((sport, seq), t)
            target_last_data = t if target_last_data is None else max(target_last_data, t)

    differences = [replayed[key] - captured[key] / args.speed for key in captured if key in replayed]
    base = min(differences) if differences else 0.0
    errors = [(d - base) * 1000 for d in differences]

    closes, early, slack = 0, [], []
    for port, fin in capture_fin.items():
        if port in capture_syn and port in target_syn and port in target_fin:
            closes += 1
            wanted = (fin - capture_syn[port]) / args.speed
            got = target_fin[port] - target_syn[port]
            slack.append((got - wanted) * 1000)
            if got < wanted - args.tolerance_ms / 1000:
                early.append({"port": port, "capture_ms": round(wanted * 1000, 3), "target_ms": round(got * 1000, 3)})

    result = {
        "capture_client_packets": client_packets,
        "capture_data_segments": len(captured),
        "capture_requests": sorted(requests),
        "target_packets": target_packets,
        "matched": len(errors),
        "missing": len(captured) - len(errors),
        "p50_ms": percentile(errors, 0.5),
        "p99_ms": percentile(errors, 0.99),
        "max_ms": max(errors) if errors else None,
        "capture_span_s": (capture_last - capture_first) if capture_first is not None else None,
        "capture_data_span_s": (capture_last_data - capture_first) if capture_first is not None and capture_last_data is not None else None,
        "target_span_s": (target_last - target_first) if target_first is not None else None,
        "target_data_span_s": (target_last_data - target_first) if target_first is not None and target_last_data is not None else None,
        "closes_compared": closes,
        "closes_early": len(early),
        "early": early[:5],
        "close_slack_min_ms": min(slack) if slack else None,
        "close_slack_p50_ms": percentile(slack, 0.5),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
