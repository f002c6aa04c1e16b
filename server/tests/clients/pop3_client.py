#!/usr/bin/env python3
"""POP3 checks with Python's poplib (a real client), for server/tests/pop3.rs.

usage: pop3_client.py CHECK HOST PORT [ARGS...]; prints one JSON object.

  read LOGIN PASSWORD MODE [DELE...]   MODE: plain | stls | ssl. CAPA before and after
                                       STLS, STAT, LIST, UIDL, every RETR and TOP n 0, DELE
                                       the given numbers, QUIT.
  plain_auth LOGIN PASSWORD            AUTH PLAIN with an initial response, then STAT.
  inuse LOGIN PASSWORD                 a second session while a first holds the maildrop.
  drop LOGIN PASSWORD N                login, DELE N, then the socket closes without QUIT.
  hold LOGIN PASSWORD SECONDS          login, report STAT, wait, report STAT again, QUIT.
  raw LINE...                          sends the lines (pipelined, in one write), returns the
                                       raw answer up to the server closing or 2 s of silence.
"""
import base64
import json
import poplib
import socket
import ssl
import sys
import time


def connect(host, port, mode):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if mode == "ssl":
        return poplib.POP3_SSL(host, port, context=ctx, timeout=30)
    return poplib.POP3(host, port, timeout=30)


def text(b):
    return b.decode("utf-8", "replace")


def err_text(e):
    return str(e.args[0].decode() if isinstance(e.args[0], bytes) else e)


def read(host, port, login, password, mode, *dele):
    p = connect(host, port, mode)
    out = {"greeting": text(p.getwelcome())}
    out["capa_before"] = sorted(p.capa().keys())
    if mode == "stls":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        p.stls(ctx)
        out["capa_after"] = sorted(p.capa().keys())
    p.user(login)
    out["pass"] = text(p.pass_(password))
    count, octets = p.stat()
    out["stat"] = [count, octets]
    _, listing, _ = p.list()
    out["list"] = [text(l) for l in listing]
    _, uidl, _ = p.uidl()
    out["uidl"] = [text(l) for l in uidl]
    messages, tops = [], []
    for i in range(1, count + 1):
        _, lines, octets_sent = p.retr(i)
        messages.append(base64.b64encode(b"\r\n".join(lines) + b"\r\n").decode())
        _, top, _ = p.top(i, 0)
        tops.append([text(l) for l in top])
    out["messages"] = messages
    out["tops"] = tops
    for n in dele:
        p.dele(int(n))
    out["quit"] = text(p.quit())
    return out


def plain_auth(host, port, login, password):
    p = connect(host, port, "plain")
    token = base64.b64encode(f"\0{login}\0{password}".encode()).decode()
    try:
        r = p._shortcmd(f"AUTH PLAIN {token}")
    except poplib.error_proto as e:
        return {"ok": False, "error": err_text(e)}
    count, octets = p.stat()
    p.quit()
    return {"ok": True, "answer": text(r), "stat": [count, octets]}


def login(host, port, user, password):
    p = connect(host, port, "plain")
    p.user(user)
    p.pass_(password)
    return p


def inuse(host, port, user, password):
    first = login(host, port, user, password)
    second = connect(host, port, "plain")
    second.user(user)
    try:
        second.pass_(password)
        result = {"second": "accepted"}
    except poplib.error_proto as e:
        result = {"second": err_text(e)}
    second.quit()
    first.quit()
    return result


def drop(host, port, user, password, n):
    p = login(host, port, user, password)
    r = p.dele(int(n))
    # Gone without QUIT, as when a phone loses its network.
    p.sock.close()
    return {"dele": text(r)}


def hold(host, port, user, password, seconds):
    p = login(host, port, user, password)
    before = p.stat()
    time.sleep(float(seconds))
    try:
        after = p.stat()
        p.quit()
    except (OSError, poplib.error_proto) as e:
        # The server went away meanwhile (a test kills it).
        return {"before": list(before), "error": str(e)}
    return {"before": list(before), "after": list(after)}


def raw(host, port, *lines):
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(2)
    data = b""
    try:
        data += s.recv(4096)
        s.sendall(b"".join(l.encode() + b"\r\n" for l in lines))
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    return {"answer": text(data)}


CHECKS = {
    "read": read,
    "plain_auth": plain_auth,
    "inuse": inuse,
    "drop": drop,
    "hold": hold,
    "raw": raw,
}

if __name__ == "__main__":
    check, host, port, *args = sys.argv[1:]
    print(json.dumps(CHECKS[check](host, int(port), *args)))
