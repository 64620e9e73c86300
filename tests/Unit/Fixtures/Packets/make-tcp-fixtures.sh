#!/bin/bash
# Recreates the HTTP-over-loopback captures in this folder (run as root; needs ip, tcpdump, curl, python3).
# Everything runs in a private network namespace with 198.18.0.1 on its loopback; the namespace
# and every process started here are removed on exit.
#   http-lo-ethernet.pcap   tcpdump -i lo            (LINKTYPE_ETHERNET, zero MACs)
#   http-any-sll2.pcap      tcpdump -i any           (LINKTYPE_LINUX_SLL2, libpcap >= 1.10)
#   http-any-sll.pcap       tcpdump -i any -y LINUX_SLL
#   http-lo-snaplen80.pcap  tcpdump -i lo -s 80      (every data segment cut by the snap length)
# Loopback TCP checksums are left partial by the kernel (no NIC fills them in), so the captured
# TCP checksums do not verify; the IPv4 header checksums do.
set -u
OUT=$(cd "$(dirname "$0")" && pwd)
NS=tcpreplay-fixture-$$
WWW=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WWW"
}
trap cleanup EXIT
printf 'hello from the packet fixture\n' > "$WWW/hello.txt"
head -c 3000 /dev/zero | tr '\0' 'x' > "$WWW/big.txt"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 198.18.0.1/32 dev lo
ip netns exec "$NS" python3 -m http.server --bind 198.18.0.1 --directory "$WWW" 8080 >/dev/null 2>&1 & PIDS+=($!)
ip netns exec "$NS" tcpdump -U -i lo -w "$OUT/http-lo-ethernet.pcap" tcp port 8080 2>/dev/null & PIDS+=($!)
ip netns exec "$NS" tcpdump -U -i any -w "$OUT/http-any-sll2.pcap" tcp port 8080 2>/dev/null & PIDS+=($!)
ip netns exec "$NS" tcpdump -U -i any -y LINUX_SLL -w "$OUT/http-any-sll.pcap" tcp port 8080 2>/dev/null & PIDS+=($!)
ip netns exec "$NS" tcpdump -U -i lo -s 80 -w "$OUT/http-lo-snaplen80.pcap" tcp port 8080 2>/dev/null & PIDS+=($!)
sleep 1.5
for path in hello.txt big.txt missing; do
  ip netns exec "$NS" curl -s -o /dev/null --max-time 5 "http://198.18.0.1:8080/$path"
done
sleep 1
