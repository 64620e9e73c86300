#!/usr/bin/env bash
# Regenerates the tcpdump/tshark capture fixtures and their tshark-derived expectations.
# Run as root on a host with tcpdump, tshark, curl and python3. All traffic stays inside a
# network namespace created here (198.18.0.1 on its loopback); everything started is stopped by PID.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
ns="cf1-$$"
work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 198.18.0.1/32 dev lo

mkdir "$work/www"
printf 'hello from the capture fixture\n' > "$work/www/index.html"
head -c 3000 /dev/zero | tr '\0' 'x' > "$work/www/big.txt"

# tcpdump drops to its own user by default; -Z root lets it write into $work.
ip netns exec "$ns" tcpdump -i lo -s 0 -U -Z root -w "$work/http-usec.pcap" 'tcp port 8080' 2>/dev/null & pids+=($!)
ip netns exec "$ns" tcpdump -i lo -s 0 -U -Z root --time-stamp-precision nano -w "$work/http-nsec.pcap" 'tcp port 8080' 2>/dev/null & pids+=($!)
ip netns exec "$ns" tshark -i lo -F pcapng -f 'tcp port 8080' -w "$work/http.pcapng" 2>/dev/null & pids+=($!)
(cd "$work/www" && exec ip netns exec "$ns" python3 -m http.server --bind 198.18.0.1 8080 >/dev/null 2>&1) & pids+=($!)
sleep 3

for path in / /index.html /big.txt /missing; do
    ip netns exec "$ns" curl -s -o /dev/null --max-time 5 "http://198.18.0.1:8080$path" || true
    sleep 0.2
done
sleep 1

for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

for f in http-usec.pcap http-nsec.pcap http.pcapng; do
    cp "$work/$f" "$out/$f"
    tshark -r "$out/$f" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null > "$out/$f.expected.txt"
done
ls -l "$out"
