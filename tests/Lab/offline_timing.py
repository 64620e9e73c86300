#!/usr/bin/env python3
"""Compares an offline replay, as tcpdump saw it on the target, with the capture it replayed.

  offline_timing.py CAPTURE TARGET --port 8080 --speed 1

CAPTURE: the original capture (client -> server packets to --port). TARGET: tcpdump on the target's side of
the replay (fake clients -> target, to --target-port, default --port). The copier keeps client ports and
sequence numbers, so a data segment is matched by (client port, sequence number), or, where the kernel's
offloads merged or split segments on either side (GSO in the capture, GRO on the target), by the target segment
of that port whose bytes cover its first byte.

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
import bisect
import json
import sys

from pcap_reader import packets, percentile


class Side:
    """One capture's client packets toward a port: data segments by (client port, sequence), SYN and first FIN/RST
    time per client port, the first and last packet, the last data segment, and the GET request targets."""

    def __init__(self, path, port):
        self.data, self.syn, self.fin = {}, {}, {}
        self.ranges = {}
        self.first = self.last = self.last_data = None
        self.packets = 0
        self.requests = set()
        for t, _src, sport, dport, seq, flags, length, payload in packets(path):
            if dport != port:
                continue
            self.packets += 1
            self.first = t if self.first is None else min(self.first, t)
            self.last = t if self.last is None else max(self.last, t)
            if flags & 0x02 and not flags & 0x10:
                self.syn.setdefault(sport, t)
            if flags & 0x05 and sport not in self.fin:
                self.fin[sport] = t
            if length > 0:
                self.data.setdefault((sport, seq), t)
                self.ranges.setdefault(sport, []).append((seq, seq + length, t))
                self.last_data = t if self.last_data is None else max(self.last_data, t)
                for line in payload.split(b"\r\n"):
                    if line.startswith(b"GET ") and line.endswith(b" HTTP/1.1"):
                        self.requests.add(line[4:-9].decode("ascii", "replace"))

    def covering(self, port, seq):
        """When the first segment of this port whose bytes include seq was seen; None when none does."""
        if port not in self.ranges:
            return None
        ranges = self.ranges[port]
        if not isinstance(ranges, tuple):
            ranges.sort()
            self.ranges[port] = ranges = (ranges, [r[0] for r in ranges])
        spans, starts = ranges
        found = None
        for i in range(bisect.bisect_right(starts, seq) - 1, -1, -1):
            start, end, t = spans[i]
            if start <= seq < end:
                found = t if found is None else min(found, t)
            if end + 65536 * 4 < seq:
                break
        return found

    def span(self, until):
        return (until - self.first) if self.first is not None and until is not None else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("target")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--target-port", type=int)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--tolerance-ms", type=float, default=0.2)
    args = parser.parse_args()
    capture = Side(args.capture, args.port)
    target = Side(args.target, args.target_port or args.port)
    captured, replayed = capture.data, target.data
    capture_syn, capture_fin, target_syn, target_fin = capture.syn, capture.fin, target.syn, target.fin

    differences = []
    for key, t in captured.items():
        # The earliest target segment that carried the segment's first byte: exact or merged, not a later retransmission.
        candidates = [x for x in (replayed.get(key), target.covering(*key)) if x is not None]
        seen = min(candidates) if candidates else None
        if seen is not None:
            differences.append(seen - t / args.speed)
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
        "capture_client_packets": capture.packets,
        "capture_data_segments": len(captured),
        "capture_requests": sorted(capture.requests),
        "target_packets": target.packets,
        "matched": len(errors),
        "missing": len(captured) - len(errors),
        "p50_ms": percentile(errors, 0.5),
        "p99_ms": percentile(errors, 0.99),
        "max_ms": max(errors) if errors else None,
        "capture_span_s": capture.span(capture.last),
        "capture_data_span_s": capture.span(capture.last_data),
        "target_span_s": target.span(target.last),
        "target_data_span_s": target.span(target.last_data),
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
