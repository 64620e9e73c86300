#!/usr/bin/env python3
"""Copy delay from two captures: the online host's view of the client's data segments and the target's
view of the copied ones (TcpReplay lab, bench/lab/Measure-LiveCopyLoad.ps1).

The copier keeps the client's port as the fake client's port, so a connection is identified by that
port on both sides. Per port, the data segments (payload > 0) are taken in order of first appearance of
their sequence number (a retransmission is not a new segment), and the Nth one on the online side is
matched with the Nth one on the target side. The delay is target time - online time. Prints one JSON
object: counts, matched pairs, p50/p90/p99/max in milliseconds.

Standard library only; reads classic pcap (microsecond or nanosecond) with Ethernet or Linux cooked
(SLL) link types.
"""
import argparse
import json
import struct
import sys


def data_segments(path):
    """Yields (port, seq, time_s) for every TCP segment with payload in a pcap file, source port as port."""
    with open(path, 'rb') as f:
        header = f.read(24)
        if len(header) < 24:
            return
        magic = struct.unpack('<I', header[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            endian = '<'
        else:
            endian = '>'
            magic = struct.unpack('>I', header[:4])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            raise ValueError(f'{path}: not a classic pcap file')
        divisor = 1e9 if magic == 0xa1b23c4d else 1e6
        linktype = struct.unpack(endian + 'I', header[20:24])[0]
        link_length = {1: 14, 113: 16, 101: 0}.get(linktype)
        if link_length is None:
            raise ValueError(f'{path}: link type {linktype} not handled')
        record = struct.Struct(endian + 'IIII')
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            sec, frac, incl, _ = record.unpack(rh)
            data = f.read(incl)
            if len(data) < incl:
                return
            ip = link_length
            if len(data) < ip + 20 or data[ip] >> 4 != 4 or data[ip + 9] != 6:
                continue
            ihl = (data[ip] & 0x0F) * 4
            total = struct.unpack('>H', data[ip + 2:ip + 4])[0]
            tcp = ip + ihl
            if len(data) < tcp + 20:
                continue
            port = struct.unpack('>H', data[tcp:tcp + 2])[0]
            seq = struct.unpack('>I', data[tcp + 4:tcp + 8])[0]
            thl = (data[tcp + 12] >> 4) * 4
            if total - ihl - thl <= 0:
                continue
            yield port, seq, sec + frac / divisor


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
