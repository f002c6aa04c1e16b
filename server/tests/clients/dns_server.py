#!/usr/bin/env python3
"""A tiny authoritative DNS server on 127.0.0.1 (UDP), for server/tests/personal.rs: the
help page asks it about votredomaine.com. Prints {"port": N} once listening; answers

  votredomaine.com       MX 10 mail.votredomaine.com., A 192.0.2.10
  mail.votredomaine.com  A 192.0.2.25
  anything else          NXDOMAIN; other types of those names: no records.

Records have TTL 0 so that nothing is cached. Runs until killed.
"""
import json
import socket
import struct
import sys

ZONE = {
    ("votredomaine.com", 15): [("mx", 10, "mail.votredomaine.com")],
    ("votredomaine.com", 1): [("a", "192.0.2.10")],
    ("mail.votredomaine.com", 1): [("a", "192.0.2.25")],
}
KNOWN = {name for name, _ in ZONE}


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_question(packet):
    i, labels = 12, []
    while packet[i] != 0:
        n = packet[i]
        labels.append(packet[i + 1 : i + 1 + n].decode().lower())
        i += 1 + n
    qtype, qclass = struct.unpack("!HH", packet[i + 1 : i + 5])
    return ".".join(labels), qtype, packet[12 : i + 5]


def answer(packet):
    (qid,) = struct.unpack("!H", packet[:2])
    name, qtype, question = parse_question(packet)
    records = ZONE.get((name, qtype), [])
    rcode = 0 if name in KNOWN else 3
    body = b""
    for r in records:
        if r[0] == "mx":
            rdata = struct.pack("!H", r[1]) + encode_name(r[2])
        else:
            rdata = socket.inet_aton(r[1])
        body += struct.pack("!HHHIH", 0xC00C, qtype, 1, 0, len(rdata)) + rdata
    header = struct.pack("!HHHHHH", qid, 0x8580 | rcode, 1, len(records), 0, 0)
    return header + question + body


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print(json.dumps({"port": s.getsockname()[1]}), flush=True)
    while True:
        packet, peer = s.recvfrom(4096)
        try:
            s.sendto(answer(packet), peer)
        except Exception as e:  # a malformed query: no answer
            print(f"dns_server: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
