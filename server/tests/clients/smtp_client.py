#!/usr/bin/env python3
"""Real SMTP clients against courrier, driven by server/tests/smtp.rs.

Usage: smtp_client.py CHECK HOST PORT [ARGS...]; prints one JSON object, exits 0 when the
check ran (the Rust test asserts on what it prints).
"""
import json
import smtplib
import socket
import ssl
import sys


def send_smtplib(host, port, rcpts, body, starttls=False):
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        s.ehlo("client.example")
        features = sorted(s.esmtp_features)
        if starttls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s.starttls(context=ctx)
            s.ehlo("client.example")
            features = sorted(s.esmtp_features)
        refused = s.sendmail("alice@sender.example", rcpts, body.encode())
        return {"refused": {k: [v[0], v[1].decode()] for k, v in refused.items()}, "features": features}


def raw(host, port, data, reads=1):
    """Sends raw bytes (pipelined) and returns everything the server answers."""
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.recv(4096)  # greeting
        s.sendall(data)
        out = b""
        s.settimeout(5)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
        return out.decode(errors="replace")


def main():
    check, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    if check == "send":
        result = send_smtplib(host, port, args, "Subject: Bonjour\r\nFrom: alice@sender.example\r\n\r\nCorps du message.\r\n")
    elif check == "send-tls":
        result = send_smtplib(host, port, args, "Subject: Chiffré\r\n\r\nVia STARTTLS.\r\n", starttls=True)
    elif check == "pipeline":
        rcpt = args[0]
        data = (
            "EHLO p.example\r\nMAIL FROM:<p@sender.example>\r\nRCPT TO:<%s>\r\nDATA\r\n" % rcpt
        ).encode() + b"Subject: pipelined\r\n\r\none\r\n.\r\nQUIT\r\n"
        result = {"answer": raw(host, port, data)}
    elif check == "bdat":
        rcpt = args[0]
        msg = b"Subject: chunked\r\n\r\ntwo chunks\r\n"
        data = (
            b"EHLO b.example\r\nMAIL FROM:<b@sender.example>\r\nRCPT TO:<" + rcpt.encode() + b">\r\n"
            + b"BDAT 20\r\n" + msg[:20] + b"BDAT %d LAST\r\n" % (len(msg) - 20) + msg[20:] + b"QUIT\r\n"
        )
        result = {"answer": raw(host, port, data)}
    elif check == "rcpt":
        # One RCPT per argument; the answers, one line each.
        lines = ["EHLO r.example", "MAIL FROM:<r@sender.example>"] + ["RCPT TO:<%s>" % a for a in args] + ["QUIT"]
        result = {"answer": raw(host, port, ("\r\n".join(lines) + "\r\n").encode())}
    elif check == "deliver-file":
        # Sends the file's bytes as one message and returns as soon as the 250 arrives.
        rcpt, path = args
        body = open(path, "rb").read()
        stuffed = b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in body.split(b"\r\n"))
        with socket.create_connection((host, int(port)), timeout=30) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"EHLO d.example\r\nMAIL FROM:<d@sender.example>\r\nRCPT TO:<" + rcpt.encode() + b">\r\nDATA\r\n")
            lines = []
            while True:
                line = f.readline().decode()
                lines.append(line)
                if line.startswith("354") or (line[:1] in "45" and line[3:4] == " "):
                    break
            s.sendall(stuffed + (b"" if stuffed.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            final = f.readline().decode()
        result = {"answer": "".join(lines) + final}
    elif check == "raw":
        result = {"answer": raw(host, port, args[0].encode().decode("unicode_escape").encode("latin-1"))}
    else:
        raise SystemExit("unknown check " + check)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
