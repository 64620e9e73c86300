"""Reads classic pcap files (microsecond or nanosecond; Ethernet, Linux cooked, raw IP) record by record, for the lab's
Python oracles. Standard library only.

packets(path) yields, for every IPv4 TCP packet: (time_s, source address, source port, destination port, sequence
number, TCP flags, payload length, payload bytes as captured).
"""

import struct

_LINK_HEADER = {1: 14, 113: 16, 101: 0, 228: 0}


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            return
        magic = struct.unpack("<I", header[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        else:
            endian = ">"
            magic = struct.unpack(">I", header[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            raise SystemExit(f"{path}: not a classic pcap file")
        scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
        linktype = struct.unpack(endian + "I", header[20:24])[0]
        link = _LINK_HEADER.get(linktype)
        if link is None:
            raise SystemExit(f"{path}: link type {linktype} not handled")
        record = struct.Struct(endian + "IIII")
        while True:
            record_header = f.read(16)
            if len(record_header) < 16:
                return
            sec, frac, caplen, _ = record.unpack(record_header)
            frame = f.read(caplen)
            if len(frame) < caplen:
                return
            ip = frame[link:]
            if len(ip) < 40 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack(">H", ip[2:4])[0]
            src = ".".join(str(b) for b in ip[12:16])
            tcp = ip[ihl:]
            if len(tcp) < 20:
                continue
            sport, dport, seq = struct.unpack(">HHI", tcp[:8])
            doff = (tcp[12] >> 4) * 4
            yield sec + frac * scale, src, sport, dport, seq, tcp[13], total - ihl - doff, tcp[doff:total - ihl]


def percentile(values, fraction):
    """Nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]
