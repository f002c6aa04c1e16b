#!/usr/bin/env python3
"""Real SMTP clients against courrier, driven by server/tests/smtp.rs.

Usage: smtp_client.py CHECK HOST PORT [ARGS...]; prints one JSON object, exits 0 when the
check ran (the Rust test asserts on what it prints).
"""
import json
import os
import smtplib
import socket
import ssl
import sys
import time

# SOURCE_IP plays another client: the tests bind to 127.0.0.7 and friends.
SOURCE = (os.environ["SOURCE_IP"], 0) if os.environ.get("SOURCE_IP") else None
# MAIL_FROM replaces the envelope sender of "send" and "rcpt" (relay needs the grant's domain;
# an empty one is the null sender <> of a bounce).
SENDER = os.environ.get("MAIL_FROM")


def connect(host, port):
    return socket.create_connection((host, int(port)), timeout=30, source_address=SOURCE)


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def send_smtplib(host, port, rcpts, body, starttls=False):
    with smtplib.SMTP(host, int(port), timeout=30, source_address=SOURCE) as s:
        s.ehlo("client.example")
        features = sorted(s.esmtp_features)
        if starttls:
            s.starttls(context=tls_context())
            s.ehlo("client.example")
            features = sorted(s.esmtp_features)
        try:
            refused = s.sendmail("alice@sender.example" if SENDER is None else SENDER, rcpts, body.encode())
        except smtplib.SMTPRecipientsRefused as e:
            refused = e.recipients
        except smtplib.SMTPResponseException as e:
            return {"error": [e.smtp_code, e.smtp_error.decode()], "features": features}
        return {"refused": {k: [v[0], v[1].decode()] for k, v in refused.items()}, "features": features}


def submission(host, port, mode):
    """A connection to a submission port: "starttls" (587), "ssl" (465) or "plain" (no TLS)."""
    if mode.startswith("ssl"):
        s = smtplib.SMTP_SSL(host, int(port), timeout=30, context=tls_context())
        s.ehlo("phone.example")
    else:
        s = smtplib.SMTP(host, int(port), timeout=30)
        s.ehlo("phone.example")
        if mode.startswith("starttls"):
            s.starttls(context=tls_context())
            s.ehlo("phone.example")
    return s


def submit(host, port, mode, login, password, sender, rcpts):
    """Signs in (PLAIN, or LOGIN when the mode ends in -login) and sends one message."""
    s = submission(host, port, mode)
    result = {"features": sorted(s.esmtp_features), "auth_offered": s.esmtp_features.get("auth", "")}
    s.user, s.password = login, password
    try:
        if mode.endswith("-login"):
            code, text = s.auth("LOGIN", s.auth_login)
        else:
            code, text = s.auth("PLAIN", s.auth_plain)
        result["auth"] = [code, text.decode()]
    except smtplib.SMTPException as e:
        result["auth"] = [getattr(e, "smtp_code", 0), getattr(e, "smtp_error", str(e).encode()).decode()]
    body = "From: %s\r\nTo: %s\r\nSubject: Envoi\r\n\r\nEnvoyé depuis le téléphone.\r\n" % (sender, ", ".join(rcpts))
    try:
        refused = s.sendmail(sender, rcpts, body.encode())
        result["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
    except smtplib.SMTPRecipientsRefused as e:
        result["refused"] = {k: [v[0], v[1].decode()] for k, v in e.recipients.items()}
    except smtplib.SMTPResponseException as e:
        result["error"] = [e.smtp_code, e.smtp_error.decode()]
    except smtplib.SMTPServerDisconnected as e:
        result["error"] = [0, str(e)]
    try:
        s.quit()
    except smtplib.SMTPException:
        pass
    return result


def guess(host, port, mode, login, n, right):
    """N wrong passwords at once, each on its own connection, then the right one."""
    import concurrent.futures

    def attempt(password):
        try:
            s = submission(host, port, mode)
            try:
                # One AUTH PLAIN per connection (smtplib's login() would go on to LOGIN).
                s.user, s.password = login, password
                code, text = s.auth("PLAIN", s.auth_plain)
                return [code, text.decode()]
            except smtplib.SMTPResponseException as e:
                return [e.smtp_code, e.smtp_error.decode()]
            except smtplib.SMTPException as e:
                return [0, str(e)]
            finally:
                try:
                    s.close()
                except Exception:
                    pass
        except smtplib.SMTPServerDisconnected as e:
            return [0, str(e)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        wrong = list(pool.map(attempt, ["wrong-%d" % i for i in range(n)]))
    return {"wrong": wrong, "right": attempt(right)}


def raw(host, port, data, reads=1):
    """Sends raw bytes (pipelined) and returns everything the server answers."""
    with connect(host, port) as s:
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
        lines = ["EHLO r.example", "MAIL FROM:<%s>" % ("r@sender.example" if SENDER is None else SENDER)] + ["RCPT TO:<%s>" % a for a in args] + ["QUIT"]
        result = {"answer": raw(host, port, ("\r\n".join(lines) + "\r\n").encode())}
    elif check == "deliver-file":
        # Sends the file's bytes as one message and returns as soon as the 250 arrives.
        rcpt, path = args
        body = open(path, "rb").read()
        stuffed = b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in body.split(b"\r\n"))
        with connect(host, port) as s:
            f = s.makefile("rb")
            f.readline()
            sender = ("d@sender.example" if SENDER is None else SENDER).encode()
            s.sendall(b"EHLO d.example\r\nMAIL FROM:<" + sender + b">\r\nRCPT TO:<" + rcpt.encode() + b">\r\nDATA\r\n")
            lines = []
            while True:
                line = f.readline().decode()
                lines.append(line)
                if line.startswith("354") or (line[:1] in "45" and line[3:4] == " "):
                    break
            s.sendall(stuffed + (b"" if stuffed.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            final = f.readline().decode()
        result = {"answer": "".join(lines) + final}
    elif check == "send-size":
        # One message of N octets (in 76-character lines) to RCPT, with SIZE announced or not.
        rcpt, n, announce = args[0], int(args[1]), args[2] == "yes"
        line = b"y" * 76 + b"\r\n"
        body = b"Subject: big\r\n\r\n" + line * (n // len(line) + 1)
        with smtplib.SMTP(host, int(port), timeout=60, source_address=SOURCE) as s:
            s.ehlo("size.example")
            opts = ["SIZE=%d" % len(body)] if announce else []
            try:
                s.sendmail("alice@sender.example", [rcpt], body, mail_options=opts)
                result = {"code": 250}
            except smtplib.SMTPRecipientsRefused as e:
                code, text = list(e.recipients.values())[0]
                result = {"code": code, "text": text.decode()}
            except smtplib.SMTPResponseException as e:
                result = {"code": e.smtp_code, "text": e.smtp_error.decode()}
    elif check == "hold":
        # Opens N connections at once and reports each greeting.
        n = int(args[0])
        socks = [connect(host, port) for _ in range(n)]
        greetings = [sk.recv(4096).decode() for sk in socks]
        for sk in socks:
            sk.close()
        result = {"greetings": greetings}
    elif check == "idle":
        with connect(host, port) as sk:
            sk.recv(4096)
            sk.settimeout(float(args[0]))
            try:
                result = {"answer": sk.recv(4096).decode()}
            except socket.timeout:
                result = {"answer": ""}
    elif check == "starttls-inject":
        # Plaintext pipelined after STARTTLS must be discarded (RFC 3207 section 4.2).
        with connect(host, port) as sk:
            f = sk.makefile("rb")
            f.readline()
            sk.sendall(b"EHLO i.example\r\n")
            while not f.readline().startswith(b"250 "):
                pass
            sk.sendall(b"STARTTLS\r\nMAIL FROM:<evil@x.example>\r\n")
            ready = f.readline().decode()
            tls = tls_context().wrap_socket(sk, server_hostname="localhost")
            tf = tls.makefile("rb")
            tls.sendall(b"RCPT TO:<pmartin@votredomaine.com>\r\n")
            after = tf.readline().decode()
            tls.sendall(b"QUIT\r\n")
            result = {"ready": ready, "after": after, "cipher": tls.version()}
    elif check == "shutdown":
        # A session idle after EHLO and one in the middle of DATA; the test sends SIGTERM to
        # the server between READY and GO.
        idle = connect(host, port)
        idle.recv(4096)
        idle.sendall(b"EHLO idle.example\r\n")
        time.sleep(0.2)
        idle.recv(4096)
        busy = connect(host, port)
        bf = busy.makefile("rb")
        bf.readline()
        busy.sendall(b"EHLO busy.example\r\nMAIL FROM:<b@sender.example>\r\nRCPT TO:<" + args[0].encode() + b">\r\nDATA\r\n")
        while not bf.readline().startswith(b"354"):
            pass
        busy.sendall(b"Subject: half\r\n\r\nfirst half\r\n")
        print("READY", flush=True)
        sys.stdin.readline()
        idle.settimeout(10)
        idle_answer = idle.recv(4096).decode()
        busy.sendall(b"second half\r\n.\r\n")
        busy_answer = bf.readline().decode()
        result = {"idle": idle_answer, "busy": busy_answer}
    elif check == "submit":
        mode, login, password, sender = args[:4]
        result = submit(host, port, mode, login, password, sender, args[4:])
    elif check == "guess":
        mode, login, n, right = args
        result = guess(host, port, mode, login, int(n), right)
    elif check == "raw":
        result = {"answer": raw(host, port, args[0].encode().decode("unicode_escape").encode("latin-1"))}
    else:
        raise SystemExit("unknown check " + check)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
