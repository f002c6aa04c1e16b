#!/usr/bin/env python3
"""Cost as the work grows (issue 18, item 5), against a release `courrier` on SQLite.

  python3 server/bench/growth.py [--bin target/release/courrier] [--data /var/tmp/courrier-growth]

Starts its own courrier on loopback (SMTP 23525, POP3 23110, web 23080), then:

1. POP3 login, STAT and the first RETR of one mailbox holding 10, 1,000, 10,000 and 100,000
   messages (filled straight into the database between steps: 2 KiB each), median of 30;
2. SMTP delivery into that mailbox at each size (../shared/bench/mailbench.py, 1 connection,
   200 × 4 KiB), then again with 10,000 more accounts on the server;
3. the webmaster's `/siteadmin` of a domain with 2,000 mailboxes: time to the first byte and
   to the last, median of 20 (loopback, so this is the server's time).

Prints a Markdown table. Every loop is bounded; everything binds 127.0.0.1.
"""
import argparse
import http.cookiejar
import os
import poplib
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAILBENCH = os.path.join(ROOT, "..", "shared", "bench", "mailbench.py")
PASSWORD = "benchpass-2026"
SMTP, POP3, WEB = 23525, 23110, 23080


def cli(args, data, *rest, stdin=None):
    out = subprocess.run([args.bin, "--data", data, *rest], input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"courrier {' '.join(rest)}: {out.stderr}")
    return out.stdout


def serve(args, data):
    log = open(os.path.join(data, "serve.log"), "w")
    p = subprocess.Popen(
        [args.bin, "--data", data, "serve", "--http", f"127.0.0.1:{WEB}", "--smtp", f"127.0.0.1:{SMTP}",
         "--pop3", f"127.0.0.1:{POP3}", "--pop3s", "127.0.0.1:0", "--submission", "off",
         "--submissions", "off"],
        stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        time.sleep(0.1)
        if "http: listening" in open(os.path.join(data, "serve.log")).read():
            return p
    p.kill()
    sys.exit("courrier did not start")


def fill(db, login, upto):
    """Tops the mailbox up to `upto` messages, straight into the database (2 KiB each)."""
    c = sqlite3.connect(db, timeout=30)
    (account_id,) = c.execute("SELECT id FROM accounts WHERE login = ?", (login,)).fetchone()
    (have,) = c.execute("SELECT count(*) FROM messages WHERE account_id = ?", (account_id,)).fetchone()
    body = b"Subject: growth\r\nFrom: a@b.example\r\n\r\n" + b"x" * 2000 + b"\r\n"
    now = int(time.time())
    rows = ((account_id, f"g{i:08d}", len(body), now, "a@b.example", "growth", body) for i in range(have, upto))
    c.executemany(
        "INSERT INTO messages (account_id, uidl, size, received_at, mail_from, subject, raw) VALUES (?,?,?,?,?,?,?)",
        rows)
    c.commit()
    c.close()


def pop3_probe(reps=30):
    login, stat, retr = [], [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        p = poplib.POP3("127.0.0.1", POP3, timeout=30)
        p.user("user0")
        p.pass_(PASSWORD)
        t1 = time.perf_counter()
        p.stat()
        t2 = time.perf_counter()
        p.retr(1)
        t3 = time.perf_counter()
        p.quit()
        login.append(t1 - t0)
        stat.append(t2 - t1)
        retr.append(t3 - t2)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.2f}"
    return ms(login), ms(stat), ms(retr)


def smtp_rate(messages=200):
    out = subprocess.run(
        [sys.executable, MAILBENCH, "smtp", "--host", "127.0.0.1", "--port", str(SMTP), "--conns", "1",
         "--messages", str(messages), "--size", "4096", "--rcpt-domain", "bench.test", "--users", "1",
         "--max-seconds", "120"], capture_output=True, text=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT smtp")), None)
    if line is None:
        sys.exit(f"mailbench: {out.stdout}{out.stderr}")
    fields = dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
    return fields["msgs_per_s"], fields["p50_ms"]


def add_accounts(db, domain, prefix, n):
    """n more accounts in `domain`, copies of user0 (straight into the database)."""
    c = sqlite3.connect(db, timeout=30)
    cols = [r[1] for r in c.execute("PRAGMA table_info(accounts)")]
    (domain_id,) = c.execute("SELECT id FROM domains WHERE name = ?", (domain,)).fetchone()
    exprs, order = [], []
    for k in cols:
        if k == "id":
            exprs.append("NULL")
        elif k in ("login", "domain_id"):
            exprs.append("?")
            order.append(k)
        elif k in ("used_bytes", "message_count"):
            exprs.append("0")
        else:
            exprs.append(k)
    sql = f"INSERT INTO accounts ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM accounts WHERE login = 'user0'"
    c.executemany(sql, (tuple(f"{prefix}{i:05d}" if k == "login" else domain_id for k in order) for i in range(n)))
    c.commit()
    c.close()


def siteadmin_probe(webmaster, reps=20):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    form = urllib.parse.urlencode({"login": webmaster, "password": PASSWORD}).encode()
    try:
        opener.open(f"http://127.0.0.1:{WEB}/api/session/login", form)
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise
    first, whole, size = [], [], 0
    for _ in range(reps):
        t0 = time.perf_counter()
        r = opener.open(urllib.request.Request(f"http://127.0.0.1:{WEB}/siteadmin", headers={"Accept": "text/html"}))
        r.read(1)
        t1 = time.perf_counter()
        size = 1 + len(r.read())
        t2 = time.perf_counter()
        first.append(t1 - t0)
        whole.append(t2 - t0)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.1f}"
    return ms(first), ms(whole), size


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "courrier"))
    ap.add_argument("--data", default="/var/tmp/courrier-growth")
    ap.add_argument("--sizes", default="10,1000,10000,100000")
    args = ap.parse_args()
    data = args.data
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    db = os.path.join(data, "courrier.db")
    cli(args, data, "domain", "add", "bench.test")
    cli(args, data, "user", "add", "bench.test", "--last", "user0")
    cli(args, data, "user", "passwd", "user0", stdin=PASSWORD + "\n")
    cli(args, data, "domain", "add", "many.test")
    # A domain of 2,000 mailboxes and its webmaster.
    cli(args, data, "domain", "add", "big.test")
    said = cli(args, data, "user", "add", "big.test", "--first", "Web", "--last", "Master", "--webmaster")
    webmaster = re.search(r"^login:\s+(\S+)", said, re.M).group(1)
    cli(args, data, "user", "passwd", webmaster, stdin=PASSWORD + "\n")
    server = serve(args, data)
    try:
        rows = []
        for n in [int(s) for s in args.sizes.split(",")]:
            fill(db, "user0", n)
            login, stat, retr = pop3_probe()
            rate, p50 = smtp_rate()
            rows.append(f"| {n:,} | {login} | {stat} | {retr} | {rate} | {p50} |")
        add_accounts(db, "many.test", "m", 10000)
        rate, p50 = smtp_rate()
        add_accounts(db, "big.test", "b", 1999)
        first, whole, size = siteadmin_probe(webmaster)
        print("| messages in the mailbox | POP3 login ms | STAT ms | first RETR ms | SMTP msg/s (1 conn, 4 KiB) | SMTP p50 ms |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
        print(f"\nWith 10,000 more accounts on the server: SMTP {rate} msg/s, p50 {p50} ms.")
        print(f"/siteadmin of a domain of 2,000 mailboxes: first byte {first} ms, whole page {whole} ms ({size:,} bytes), median of 20.")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
