#!/usr/bin/env python3
"""Copy delay from two captures: the online host's view of the client's data segments and the target's
view of the copied ones (TcpReplay lab, bench/lab/Measure-LiveCopyLoad.ps1).

The copier keeps the client's port as the fake client's port, so a connection is identified by that
port on both sides. Per port, the data segments (payload > 0) are taken in order of first appearance of
their sequence number (a retransmission is not a new segment), and the Nth one on the online side is
matched with the Nth one on the target side. The delay is target time - online time. Prints one JSON
object: counts, matched pairs, p50/p90/p99/max in milliseconds.

Standard library only; the pcap reader is tests/Lab/pcap_reader.py.
"""
import argparse
import json
import os
import sys

# The lab's pcap reader, shared with the test oracles.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Lab"))
from pcap_reader import packets  # noqa: E402


def data_segments(path):
    """Yields (port, seq, time_s) for every TCP segment with payload in a pcap file, source port as port."""
    for t, _src, sport, _dport, seq, _flags, length, _payload in packets(path):
        if length > 0:
            yield sport, seq, t


def ordered_segments(path):
    """Per port: the first-seen time of each distinct sequence number, in order of appearance."""
    by_port = {}
    seen = {}
    for port, seq, t in data_segments(path):
        s = seen.setdefault(port, set())
        if seq in s:
            continue
        s.add(seq)
        by_port.setdefault(port, []).append(t)
    return by_port


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--online', required=True, help='pcap of the client data segments on the online host')
    parser.add_argument('--target', required=True, help='pcap of the copied data segments on the target')
    args = parser.parse_args()
    online = ordered_segments(args.online)
    target = ordered_segments(args.target)
    delays = []
    unmatched_online = 0
    for port, times in online.items():
        copied = target.get(port, [])
        for i, t in enumerate(times):
            if i < len(copied):
                delays.append((copied[i] - t) * 1000.0)
            else:
                unmatched_online += 1
    delays.sort()
    result = {
        'online_segments': sum(len(v) for v in online.values()),
        'target_segments': sum(len(v) for v in target.values()),
        'online_connections': len(online),
        'target_connections': len(target),
        'matched': len(delays),
        'unmatched_online': unmatched_online,
        'negative': sum(1 for d in delays if d < 0),
        'p50_ms': percentile(delays, 50),
        'p90_ms': percentile(delays, 90),
        'p99_ms': percentile(delays, 99),
        'max_ms': delays[-1] if delays else None,
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == '__main__':
    main()
