#!/usr/bin/env python3
"""A load balancer's PROXY header (v1 or v2) in front of a plain SMTP or POP3 conversation,
for server/tests/proxy.rs.

usage: proxy_client.py HOST PORT HEADER LINE...   prints one JSON object
  HEADER: none | v1:IP:PORT | v2:IP:PORT | v1-unknown | v2-local | garbage
  Each LINE is sent after the previous answer; the answers (the greeting first) are returned.
  An empty answer means the server closed the connection.
"""
import ipaddress
import json
import socket
import struct
import sys


def header(kind):
    if kind == "none":
        return b""
    if kind == "v1-unknown":
        return b"PROXY UNKNOWN\r\n"
    if kind == "garbage":
        return b"PROXY TCP4 not an address\r\n"
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    if kind == "v2-local":
        return sig + bytes([0x20, 0x00]) + struct.pack("!H", 0)
    version, rest = kind.split(":", 1)
    ip, port = rest.rsplit(":", 1)
    ip, port = ipaddress.ip_address(ip), int(port)
    if version == "v1":
        family = "TCP4" if ip.version == 4 else "TCP6"
        dst = "203.0.113.1" if ip.version == 4 else "2001:db8::1"
        return f"PROXY {family} {ip} {dst} {port} 25\r\n".encode()
    if ip.version == 4:
        body = ip.packed + ipaddress.ip_address("203.0.113.1").packed + struct.pack("!HH", port, 25)
        fam = 0x11
    else:
        body = ip.packed + ipaddress.ip_address("2001:db8::1").packed + struct.pack("!HH", port, 25)
        fam = 0x21
    return sig + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def answer(f):
    """One reply: SMTP multi-line (code-) or one POP3 line; '' when closed."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            break
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(text)
        if not (len(text) > 3 and text[3] == "-" and text[:3].isdigit()):
            break
    return "\n".join(lines)


def main():
    host, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.create_connection((host, port), timeout=15)
    s.sendall(header(kind))
    f = s.makefile("rb")
    answers = []
    try:
        answers.append(answer(f))
        for line in sys.argv[4:]:
            s.sendall(line.encode() + b"\r\n")
            answers.append(answer(f))
    except (ConnectionError, socket.timeout) as e:
        answers.append("")
    print(json.dumps({"answers": answers}))


main()
