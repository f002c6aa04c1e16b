#!/usr/bin/env python3
"""DKIM and ARC as another receiver sees them, with dkimpy (PyPI) — a verifier independent of
the mail-auth crate courrier signs with. The public keys are looked up in the loopback DNS
server of the tests (dns_server.py), with dnspython.

  dkim_check.py keygen                          -> {"private": "...", "public": "..."} (Ed25519)
  dkim_check.py sign FILE DOMAIN SELECTOR PRIV  -> the message of FILE signed, on stdout
  dkim_check.py verify FILE DNS_PORT            -> {"dkim": [{"d", "s", "a", "ok"}, ...],
                                                    "arc": {"cv": "pass", "sets": 1,
                                                            "domains": [...]}}
"""
import base64
import json
import re
import sys

import dkim
import dns.resolver
import nacl.signing


def txt_lookup(port):
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    r.lifetime = 5

    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        try:
            answer = r.resolve(name, "TXT")
        except Exception:
            return None
        for record in answer:
            return b"".join(record.strings)
        return None

    return lookup


def tags(value):
    value = re.sub(rb"\s+", b"", value)
    out = {}
    for part in value.split(b";"):
        if b"=" in part:
            k, v = part.split(b"=", 1)
            out[k.decode()] = v.decode()
    return out


def headers_named(message, name):
    """The values of every field `name` of the header section, unfolded."""
    head = message.split(b"\r\n\r\n", 1)[0]
    fields, current = [], None
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and current is not None:
            current[1] += b" " + line.strip()
            continue
        k, _, v = line.partition(b":")
        current = [k.strip().lower(), v.strip()]
        fields.append(current)
    return [v for k, v in fields if k == name.lower().encode()]


def verify(path, port):
    message = open(path, "rb").read()
    lookup = txt_lookup(port)
    signatures = headers_named(message, "DKIM-Signature")
    found = []
    for i, value in enumerate(signatures):
        t = tags(value)
        d = dkim.DKIM(message)
        try:
            ok = d.verify(idx=i, dnsfunc=lookup)
        except Exception as e:
            ok = False
            t["error"] = str(e)
        found.append({"d": t.get("d"), "s": t.get("s"), "a": t.get("a"), "ok": bool(ok), "error": t.get("error")})
    cv, results, comment = dkim.arc_verify(message, dnsfunc=lookup)
    seals = [tags(v) for v in headers_named(message, "ARC-Seal")]
    return {
        "dkim": found,
        "arc": {
            "cv": cv.decode() if isinstance(cv, bytes) else str(cv),
            "comment": comment,
            "sets": len(seals),
            "domains": [s.get("d") for s in seals],
        },
        "aar": [v.decode() for v in headers_named(message, "ARC-Authentication-Results")],
    }


def main():
    cmd = sys.argv[1]
    if cmd == "keygen":
        key = nacl.signing.SigningKey.generate()
        print(json.dumps({
            "private": base64.b64encode(bytes(key)).decode(),
            "public": base64.b64encode(bytes(key.verify_key)).decode(),
        }))
    elif cmd == "sign":
        path, domain, selector, private = sys.argv[2:6]
        message = open(path, "rb").read()
        signature = dkim.sign(
            message, selector.encode(), domain.encode(), private.encode(),
            signature_algorithm=b"ed25519-sha256",
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        )
        sys.stdout.buffer.write(signature + message)
    elif cmd == "verify":
        print(json.dumps(verify(sys.argv[2], int(sys.argv[3]))))
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
