#!/usr/bin/env python3
"""A real SMTP receiver (aiosmtpd from PyPI) standing in for another mail server, for
server/tests/outbound.rs.

usage: smtp_receiver.py DIR MODE   MODE: accept | tempfail-once | reject | hang-first | slow
  hang-first: the first message is read but never answered (DIR/hanging marks the moment),
              the others accepted; slow: each message accepted after 0.1 s.
Prints "listening PORT" once ready; each accepted message is written to DIR as N.json
(envelope and content); runs until its standard input closes.
"""
import asyncio
import json
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out, mode):
        self.out, self.mode, self.seen = out, mode, 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.mode == "reject":
            return "550 5.7.1 We do not want it"
        if self.mode == "tempfail-once" and self.seen == 1:
            return "451 4.3.0 Try again later"
        if self.mode == "hang-first" and self.seen == 1:
            open(os.path.join(self.out, "hanging"), "w").close()
            await asyncio.sleep(3600)
        if self.mode == "slow":
            await asyncio.sleep(0.1)
        n = len([f for f in os.listdir(self.out) if f.endswith(".json")])
        with open(os.path.join(self.out, f"{n}.json.tmp"), "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "content": envelope.content.decode("utf-8", "replace"),
                "tls": session.ssl is not None,
            }, f)
        os.rename(os.path.join(self.out, f"{n}.json.tmp"), os.path.join(self.out, f"{n}.json"))
        return "250 2.0.0 Stored"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    out, mode = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    port = free_port()
    # RECEIVER_TLS=CERT:KEY offers STARTTLS with that certificate.
    tls = os.environ.get("RECEIVER_TLS")
    kwargs = {}
    if tls:
        import ssl
        cert, key = tls.split(":")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        kwargs = {"tls_context": ctx, "require_starttls": False}
    controller = Controller(Handler(out, mode), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"listening {port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
