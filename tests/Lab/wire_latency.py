#!/usr/bin/env python3
"""Response times of an HTTP/1.x server as tcpdump saw them on the server's interface: the oracle for the copier's
online and target latency figures.

  wire_latency.py CAPTURE --port 8080 [--clients 198.19.]

Per connection (client address and port), a request starts at a client data segment that follows server data (or
opens the connection's data); its response time is from that segment to the server's next data segment. Client
retransmissions (a sequence number seen before) do not start a request. Prints one JSON object: count, p50_ms,
p90_ms, max_ms. Standard library only; the pcap reader is pcap_reader.py.
"""

import argparse
import json

from pcap_reader import packets, percentile


def response_times(path, port, client_prefix):
    waiting = {}   # connection -> time its current request started (None once answered)
    seen = {}      # connection -> client sequence numbers already seen
    times = []
    for at, src, sport, dport, seq, _flags, length, _payload in packets(path):
        if length <= 0:
            continue
        if dport == port and src.startswith(client_prefix):
            key = (src, sport)
            sequences = seen.setdefault(key, set())
            if seq in sequences:
                continue
            sequences.add(seq)
            if waiting.get(key) is None:
                waiting[key] = at
        elif sport == port:
            # The server's data to a client: find the client by the destination, which this reader does not return,
            # so match on the client port, unique within one run of the lab's traffic.
            for key, started in waiting.items():
                if key[1] == dport and started is not None:
                    times.append((at - started) * 1000.0)
                    waiting[key] = None
                    break
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", default="", help="client address prefix, e.g. 198.19. (default: any)")
    args = parser.parse_args()
    times = response_times(args.capture, args.port, args.clients)
    print(json.dumps({
        "count": len(times),
        "p50_ms": percentile(times, 0.5),
        "p90_ms": percentile(times, 0.9),
        "max_ms": max(times) if times else None,
    }))


if __name__ == "__main__":
    main()
