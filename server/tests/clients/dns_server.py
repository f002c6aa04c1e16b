#!/usr/bin/env python3
"""A tiny authoritative DNS server on 127.0.0.1 (UDP). Prints {"port": N} once listening.

Without an argument it serves the zone of server/tests/personal.rs (the help page asks it about
votredomaine.com):

  votredomaine.com       MX 10 mail.votredomaine.com., A 192.0.2.10
  mail.votredomaine.com  A 192.0.2.25

With a JSON file as argument, that zone instead (server/tests/sender.rs: SPF, DKIM and DMARC
records): {"name": {"TXT": ["v=spf1 ...", ...], "A": ["192.0.2.1"], "AAAA": ["2001:db8::1"],
"MX": [[10, "host"]], "SRV": [[0, 1, 995, "host"]]},
"name2": "TIMEOUT"} — a name given as "TIMEOUT" gets no answer at all (a DNS failure: the
resolver gives up; a SERVFAIL answer would do too by RFC 7208 §4.4, but mail-auth 0.7.0 takes
it for "no record").

Anything else: NXDOMAIN; other types of those names: no records. Records have TTL 0 so that
nothing is cached (DNS_TTL=N in the environment gives them N seconds: server/bench/filter.sh).
Runs until killed.
"""
import json
import socket
import struct
import os
import sys

ZONE = {
    ("votredomaine.com", 15): [("mx", 10, "mail.votredomaine.com")],
    ("votredomaine.com", 1): [("a", "192.0.2.10")],
    ("mail.votredomaine.com", 1): [("a", "192.0.2.25")],
}
KNOWN = {name for name, _ in ZONE}
FAILING = set()
TTL = int(os.environ.get("DNS_TTL", "0"))
TYPES = {"A": 1, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33}


def load(path):
    """Replaces the zone with the JSON file's."""
    global ZONE, KNOWN
    ZONE = {}
    for name, records in json.load(open(path)).items():
        name = name.lower().strip(".")
        if records == "TIMEOUT":
            FAILING.add(name)
            continue
        for kind, values in records.items():
            for v in values:
                if kind == "MX":
                    ZONE.setdefault((name, 15), []).append(("mx", v[0], v[1]))
                elif kind == "TXT":
                    ZONE.setdefault((name, 16), []).append(("txt", v))
                elif kind == "SRV":
                    ZONE.setdefault((name, 33), []).append(("srv", v[0], v[1], v[2], v[3]))
                elif kind == "AAAA":
                    ZONE.setdefault((name, 28), []).append(("aaaa", v))
                else:
                    ZONE.setdefault((name, TYPES[kind]), []).append(("a", v))
    KNOWN = {name for name, _ in ZONE}


def encode_name(name):
    if not name.strip("."):
        return b"\0"  # the root: SRV "0 0 0 ." (service not offered)
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
    if name in FAILING:
        return None
    rcode = 0 if name in KNOWN else 3
    body = b""
    for r in records:
        if r[0] == "mx":
            rdata = struct.pack("!H", r[1]) + encode_name(r[2])
        elif r[0] == "txt":
            # Character-strings of at most 255 octets each (RFC 1035 §3.3.14).
            text = r[1].encode()
            rdata = b"".join(bytes([len(text[i : i + 255])]) + text[i : i + 255] for i in range(0, len(text), 255))
        elif r[0] == "srv":
            rdata = struct.pack("!HHH", r[1], r[2], r[3]) + encode_name(r[4])
        elif r[0] == "aaaa":
            rdata = socket.inet_pton(socket.AF_INET6, r[1])
        else:
            rdata = socket.inet_aton(r[1])
        body += struct.pack("!HHHIH", 0xC00C, qtype, 1, TTL, len(rdata)) + rdata
    header = struct.pack("!HHHHHH", qid, 0x8580 | rcode, 1, len(records), 0, 0)
    return header + question + body


def main():
    if len(sys.argv) > 1:
        load(sys.argv[1])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print(json.dumps({"port": s.getsockname()[1]}), flush=True)
    while True:
        packet, peer = s.recvfrom(4096)
        try:
            a = answer(packet)
            if a is not None:
                s.sendto(a, peer)
        except Exception as e:  # a malformed query: no answer
            print(f"dns_server: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
