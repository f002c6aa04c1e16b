#!/usr/bin/env python3
"""An attacker's tools against courrier on loopback, driven by server/tests/hardening.rs.
Each run is bounded (connection counts and times are given); prints one JSON object.

usage: abuse.py CHECK ARGS...

  flood HOST PORT SOURCES N HOLD     opens N connections to HOST:PORT spread over SOURCES
                                     (comma-separated loopback addresses), each sending half
                                     a GET (no final blank line), holds them HOLD seconds
                                     (or until the file named by $STOP_FILE appears), reports
                                     how many connected and how many the server closed.
  pop3-pass HOST PORT SOURCE LOGIN PASSWORD
                                     USER/PASS from SOURCE; the PASS answer.
  pop3-parallel HOST PORT SOURCE LOGIN N
                                     N connections log in at the same moment with a wrong
                                     password; every PASS answer.
  web-parallel URL SOURCES N LOGIN   N sign-ins posted at the same moment (as the hydrated
                                     page does) from SOURCES in turn, each with a wrong
                                     password; every (status, Retry-After, body).
  bomb PATH MIB                      writes a gzip bomb to PATH: a tar whose messages.mbox
                                     says (and unpacks to) MIB MiB of zeros.
  web-login URL SOURCE LOGIN PASSWORD
                                     one sign-in from SOURCE as a plain form post; (status,
                                     Location, seconds taken).
"""
import http.client
import json
import os
import poplib
import resource
import socket
import sys
import threading
import time
import urllib.parse


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def flood(host, port, sources, n, hold):
    raise_nofile()
    sources = sources.split(",")
    socks, failed = [], 0
    for i in range(n):
        try:
            s = socket.create_connection(
                (host, port), timeout=5, source_address=(sources[i % len(sources)], 0)
            )
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            failed += 1
    print(json.dumps({"opened": len(socks), "failed": failed}), flush=True)
    stop = os.environ.get("STOP_FILE")
    deadline = time.time() + hold
    while time.time() < deadline and not (stop and os.path.exists(stop)):
        time.sleep(0.1)
    # Closed by the server (at once over a cap, with or without a 503 first; or later by the
    # header timeout), or still held open.
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            while s.recv(1 << 16):
                pass
            closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    return {"opened": len(socks), "failed": failed, "closed_by_server": closed}


class SourcePOP3(poplib.POP3):
    def __init__(self, host, port, source):
        self.source = source
        super().__init__(host, port, timeout=60)

    def _create_socket(self, timeout):
        return socket.create_connection(
            (self.host, self.port), timeout, source_address=(self.source, 0)
        )


def pop3_pass(host, port, source, login, password):
    try:
        c = SourcePOP3(host, port, source)
        c.user(login)
        answer = c.pass_(password).decode()
        c.quit()
        return answer
    except poplib.error_proto as e:
        return e.args[0].decode() if isinstance(e.args[0], bytes) else str(e)
    except OSError as e:
        return f"socket: {e}"


def pop3_parallel(host, port, source, login, n):
    conns = [SourcePOP3(host, port, source) for _ in range(n)]
    for c in conns:
        c.user(login)
    answers = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait()
        try:
            answers[i] = conns[i].pass_("Wrong-Guess-%d" % i).decode()
        except poplib.error_proto as e:
            answers[i] = e.args[0].decode()
        except OSError as e:
            answers[i] = f"socket: {e}"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in conns:
        try:
            c.close()
        except OSError:
            pass
    return answers


def post_login(url, source, login, password, accept="application/json"):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120, source_address=(source, 0))
    body = urllib.parse.urlencode({"login": login, "password": password})
    c.request(
        "POST",
        "/api/session/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
         "Referer": url + "/login"},
    )
    r = c.getresponse()
    retry = r.getheader("Retry-After") if accept == "application/json" else r.getheader("Location")
    out = (r.status, retry, r.read().decode("utf-8", "replace"))
    c.close()
    return out


def web_parallel(url, sources, n, login):
    sources = sources.split(",")
    results = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait()
        try:
            results[i] = post_login(url, sources[i % len(sources)], login, "Wrong-Guess-%d" % i)
        except OSError as e:
            results[i] = (0, None, f"socket: {e}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def bomb(path, mib):
    import tarfile
    import zlib

    info = tarfile.TarInfo("messages.mbox")
    info.size = mib << 20
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip stream
    zeros = bytes(1 << 20)
    with open(path, "wb") as f:
        f.write(z.compress(info.tobuf(format=tarfile.USTAR_FORMAT)))
        for _ in range(mib):
            f.write(z.compress(zeros))
        f.write(z.flush())
    return {"size": os.path.getsize(path)}


def main():
    check, args = sys.argv[1], sys.argv[2:]
    if check == "flood":
        out = flood(args[0], int(args[1]), args[2], int(args[3]), float(args[4]))
    elif check == "pop3-pass":
        out = pop3_pass(args[0], int(args[1]), args[2], args[3], args[4])
    elif check == "pop3-parallel":
        out = pop3_parallel(args[0], int(args[1]), args[2], args[3], int(args[4]))
    elif check == "web-parallel":
        out = web_parallel(args[0], args[1], int(args[2]), args[3])
    elif check == "bomb":
        out = bomb(args[0], int(args[1]))
    elif check == "web-login":
        start = time.time()
        status, location, body = post_login(args[0], args[1], args[2], args[3], "text/html")
        out = [status, location, time.time() - start]
    else:
        sys.exit(f"unknown check {check}")
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
