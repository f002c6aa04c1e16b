#!/usr/bin/env python3
"""Backup files with Python's standard library, for server/tests/backups.rs.

usage: backup_tool.py CHECK ARGS...; prints one JSON object.

  inspect FILE          opens the .tar.gz with tarfile and its messages.mbox with
                        mailbox.mbox (the standard mbox reader): part names, manifest,
                        number of messages and their subjects.
  hostile KIND GOOD OUT writes to OUT a hostile variant of the good backup GOOD:
                        not-archive, truncated, bad-checksum, bomb, dotdot, absolute, big.
"""
import gzip
import io
import json
import mailbox
import os
import sys
import tarfile
import tempfile


def members(path):
    with tarfile.open(path, "r:gz") as t:
        return [(m, t.extractfile(m).read()) for m in t.getmembers()]


def inspect(path):
    parts = members(path)
    names = [m.name for m, _ in parts]
    data = {m.name: d for m, d in parts}
    with tempfile.TemporaryDirectory() as d:
        mbox_path = os.path.join(d, "messages.mbox")
        with open(mbox_path, "wb") as f:
            f.write(data["messages.mbox"])
        box = mailbox.mbox(mbox_path, create=False)
        subjects = [m["subject"] for m in box]
        box.close()
    return {
        "names": names,
        "manifest": json.loads(data["manifest.json"]),
        "count": len(subjects),
        "subjects": subjects,
    }


def tar_gz(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def hostile(kind, good, out):
    raw = open(good, "rb").read()
    if kind == "not-archive":
        bad = b"%PDF-1.4 this is not a backup\n" * 10
    elif kind == "truncated":
        bad = raw[: len(raw) * 2 // 3]
    elif kind == "bad-checksum":
        entries = [(m.name, d) for m, d in members(good)]
        entries = [
            (n, d.replace(b"Subject:", b"Subjekt:", 1) if n == "messages.mbox" else d)
            for n, d in entries
        ]
        bad = tar_gz(entries)
    elif kind == "bomb":
        bad = gzip.compress(b"\0" * (16 << 20), compresslevel=9)
    elif kind == "dotdot":
        bad = tar_gz([("../../etc/cron.d/evil", b"* * * * * root true\n")])
    elif kind == "absolute":
        bad = tar_gz([("/etc/passwd", b"root::0:0::/:/bin/sh\n")])
    elif kind == "big":
        bad = b"\x1f\x8b" + os.urandom(6 << 20)
    else:
        raise SystemExit("unknown kind " + kind)
    with open(out, "wb") as f:
        f.write(bad)
    return {"size": len(bad)}


if __name__ == "__main__":
    check, *args = sys.argv[1:]
    print(json.dumps({"inspect": inspect, "hostile": hostile}[check](*args)))
