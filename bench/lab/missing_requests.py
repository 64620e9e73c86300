#!/usr/bin/env python3
"""Which copied connections lost requests: compares the online and the target nginx access logs that
Measure-LiveCopyLoad.ps1 -KeepFiles keeps (the lab's log format: remote address, remote port, request,
status, body bytes, nginx connection number, requests on the connection, time).

The copier keeps the client's port as the fake client's port, so a connection is its port on both sides.
Prints the totals, then each port the target served fewer requests on: online and target counts, the
fake address, the time of the first request on each side and the target's last line (its status and
body bytes say how it ended; 200 with 0 bytes is an answer the client's reset cut off).

Usage: missing_requests.py online-access.log target-access.log
"""
import collections
import sys


def read(path, fake_only):
    by_port = collections.defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 8 or (fake_only and not fields[0].startswith("198.19.")):
                continue
            by_port[fields[1]].append(fields)
    return by_port


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    online = read(sys.argv[1], fake_only=False)
    target = read(sys.argv[2], fake_only=True)
    print(f"online {sum(map(len, online.values()))} requests, target {sum(map(len, target.values()))} from fake clients")
    for port, lines in sorted(online.items(), key=lambda item: float(item[1][0][7])):
        copied = target.get(port, [])
        if len(copied) >= len(lines):
            continue
        first_target = copied[0][7] if copied else "-"
        last = "\t".join(copied[-1][2:6]) if copied else "-"
        fake = copied[0][0] if copied else "-"
        print(f"port {port}: online {len(lines)} (first {lines[0][7]}), target {len(copied)} (first {first_target}) "
              f"from {fake}; target's last: {last}")


if __name__ == "__main__":
    main()
