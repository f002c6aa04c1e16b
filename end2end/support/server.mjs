// Starts the real `courrier serve` on an ephemeral port with a fresh data directory and
// returns its URL and the first-run admin's credentials.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:net';
import { chromium } from 'playwright-core';

export async function startServer() {
  const bin = process.env.COURRIER_BIN;
  if (!bin) throw new Error('COURRIER_BIN must point at the courrier binary (see .ci/test)');
  const data = mkdtempSync(join(tmpdir(), 'courrier-e2e-'));
  const env = { ...process.env, RUST_LOG: 'warn' };
  delete env.COURRIER_DATABASE_URL;
  const child = spawn(bin, ['serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0', '--pop3', '127.0.0.1:0', '--pop3s', '127.0.0.1:0', '--submission', '127.0.0.1:0', '--submissions', '127.0.0.1:0', '--data', data], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error('courrier did not start')), 60_000);
    child.on('exit', (code) => reject(new Error(`courrier exited with ${code}`)));
    lines.on('line', (line) => {
      const t = line.trim();
      if (t.startsWith('login:')) found.login = t.slice(6).trim();
      if (t.startsWith('password:')) found.password = t.slice(9).trim();
      if (line.startsWith('pop3: listening on ')) found.pop3 = line.slice('pop3: listening on '.length).trim();
      if (line.startsWith('smtp: listening on ')) found.smtp = line.slice('smtp: listening on '.length).trim();
      if (line.startsWith('http: listening on ')) {
        clearTimeout(timer);
        found.url = 'http://' + line.slice('http: listening on '.length).trim();
        resolve(found);
      }
    });
  });
  return {
    ...info,
    data,
    cli(args) {
      return new Promise((resolve) => {
        const p = spawn(bin, [...args, '--data', data], { env });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => resolve({ code, out, err }));
      });
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Launches Debian's headless Chromium. A browser that dies while starting (seen once in CI:
// SIGSEGV before the first page, nothing to do with the pages under test) is launched again,
// up to three times, saying so on stderr; a page that crashes later still fails its test.
export async function launchChromium() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: CHROMIUM_ARGS,
        headless: true,
      });
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`chromium did not start (attempt ${attempt}): ${String(e.message).split('\n')[0]}; trying again`);
    }
  }
}

// Talks a line protocol (POP3, SMTP without EHLO): waits for the greeting, then sends each
// command and waits for its one reply line. Returns every reply line, greeting first.
export function converse(addr, commands) {
  return new Promise((resolve, reject) => {
    const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
    const sock = connect(port, host);
    const replies = [];
    let buf = '';
    sock.setTimeout(10_000, () => { sock.destroy(); reject(new Error(`timeout talking to ${addr}`)); });
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        replies.push(buf.slice(0, i));
        buf = buf.slice(i + 2);
        const next = commands[replies.length - 1];
        if (next === undefined) { sock.end(); resolve(replies); return; }
        sock.write(next + '\r\n');
      }
    });
  });
}

// Tries a POP3 login (USER/PASS, allowed in clear from loopback); true when accepted.
export async function pop3Login(addr, user, pass) {
  const r = await converse(addr, [`USER ${user}`, `PASS ${pass}`, 'QUIT']);
  return r[2].startsWith('+OK');
}

// Deletes messages 1..n over POP3 (committed at QUIT).
export async function pop3DeleteAll(addr, user, pass, n) {
  const dele = Array.from({ length: n }, (_, i) => `DELE ${i + 1}`);
  const r = await converse(addr, [`USER ${user}`, `PASS ${pass}`, ...dele, 'QUIT']);
  if (!r.every((l) => l.startsWith('+OK'))) throw new Error(`POP3: ${r.join(' | ')}`);
}

// Sends one message over SMTP to `to`; `body` has CRLF line ends and no line with a lone dot.
export async function sendMail(addr, to, body) {
  const r = await converse(addr, ['HELO e2e.example', 'MAIL FROM:<a@sender.example>', `RCPT TO:<${to}>`, 'DATA', body + '\r\n.', 'QUIT']);
  if (!r[5]?.startsWith('250')) throw new Error(`SMTP: ${r.join(' | ')}`);
}
