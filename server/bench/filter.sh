#!/usr/bin/env bash
# The filter stage measured (issue 14): three release `courrier` instances for the shared load
# generator, beside the peers (../shared/bench), each with the bench users of setup.sh:
#   off     SMTP 22525  no check ([filter] sender = false)
#   sender  SMTP 23525  SPF/DKIM/DMARC/ARC, through a DNS server on loopback that serves
#                       mailbench.example's SPF and DMARC records with a 300 s TTL (a resolver
#                       caches them, as a host's does)
#   all     SMTP 24525  the sender checks, ClamAV's clamd and rspamd (.ci/clamd, .ci/rspamd)
# Writes the targets to $OUT/{off,sender,all}.json. `stop` stops everything it started.
# `run [REPS]` then measures 4 KiB × 32 connections on the peers (Postfix, started by
# ../shared/bench/peers/start-peers.sh) and the three, interleaved, REPS times (3), with the
# load generator sending from bench@mailbench.example (run_matrix.py sends from
# mailbench.invalid, a name no resolver looks up), and prints delivered/s and server CPU per
# message (courrier's: its one process; Postfix's per-session processes are not counted
# here, see run_matrix.py for its figure).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/var/tmp/courrier-filter-bench}"
if [ "${1:-}" = run ]; then
  BENCH="$ROOT/../shared/bench"
  for rep in $(seq "${2:-3}"); do
    for t in /tmp/peers.json "$OUT/off.json" "$OUT/sender.json" "$OUT/all.json"; do
      python3 - "$BENCH" "$t" "$rep" <<'PY'
import json, os, re, subprocess, sys, time
bench, target, rep = sys.argv[1:]
t = json.load(open(target))
subprocess.run(t["reset_cmd"], shell=True, check=True, capture_output=True, cwd=bench)
pids = subprocess.run(t["server_pids_cmd"], shell=True, capture_output=True, text=True).stdout.split()
def cpu():
    total = 0
    for pid in pids:
        try:
            f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")
before = cpu()
out = subprocess.run(
    ["python3", f"{bench}/mailbench.py", "smtp", "--port", str(t["smtp_port"]), "--conns", "32",
     "--messages", "2000", "--size", "4096", "--rcpt-domain", t["domain"], "--users", str(t["users"]),
     "--mail-from", "bench@mailbench.example"]
    + (["--count-cmd", t["count_cmd"]] if "count_cmd" in t else ["--count-maildir", t["count_maildir"]]),
    capture_output=True, text=True, cwd=bench)
used = cpu() - before
line = [l for l in out.stdout.splitlines() if l.startswith("RESULT")]
fields = dict(re.findall(r"(\w+)=(\S+)", line[0])) if line else {}
print(f"rep {rep} {t['name']:<16} delivered/s {fields.get('delivered_msgs_per_s', '?'):>8}  "
      f"p50 {fields.get('p50_ms', '?'):>6} ms  errors {fields.get('errors', '?')}  "
      f"server CPU/msg {1000 * used / 2000:.2f} ms" + ("" if pids else " (no pids)"), flush=True)
PY
    done
  done
  exit 0
fi
if [ "${1:-}" = stop ]; then
  for n in off sender all; do COURRIER_BENCH_DATA="$OUT/$n" "$ROOT/server/bench/setup.sh" stop; done
  [ -f "$OUT/dns.pid" ] && kill "$(cat "$OUT/dns.pid")" 2>/dev/null || true
  "$ROOT/.ci/clamd" stop "$OUT/clamd"
  "$ROOT/.ci/rspamd" stop "$OUT/rspamd"
  exit 0
fi
"$0" stop
rm -rf "$OUT" && mkdir -p "$OUT"
cat >"$OUT/zone.json" <<'ZONE'
{"mailbench.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
 "_dmarc.mailbench.example": {"TXT": ["v=DMARC1; p=none"]}}
ZONE
DNS_TTL=300 python3 "$ROOT/server/tests/clients/dns_server.py" "$OUT/zone.json" >"$OUT/dns.out" &
echo $! >"$OUT/dns.pid"
for _ in $(seq 50); do [ -s "$OUT/dns.out" ] && break; sleep 0.1; done
DNS_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$OUT/dns.out")"
CLAMD="$("$ROOT/.ci/clamd" start "$OUT/clamd")"
RSPAMD="$("$ROOT/.ci/rspamd" start "$OUT/rspamd")"
printf '[filter]\nsender = false\n' >"$OUT/off.toml"
printf '[dns]\nnameserver = "127.0.0.1:%s"\n' "$DNS_PORT" >"$OUT/sender.toml"
{ cat "$OUT/sender.toml"; printf '[antivirus]\nclamd = "%s"\n[antispam]\nrspamd = "%s"\n' "$CLAMD" "$RSPAMD"; } >"$OUT/all.toml"
for spec in off:22525:21110 sender:23525:23110 all:24525:24110; do
  IFS=: read -r name smtp pop3 <<<"$spec"
  COURRIER_BENCH_DATA="$OUT/$name" SMTP_PORT="$smtp" POP3_PORT="$pop3" \
    COURRIER_BENCH_CONFIG="$OUT/$name.toml" "$ROOT/server/bench/setup.sh"
  python3 - "$ROOT/server/bench/project.json" "$OUT" "$name" "$smtp" "$pop3" <<'PY'
import json, sys
base, out, name, smtp, pop3 = sys.argv[1:]
t = json.load(open(base))
db = f"{out}/{name}/courrier.db"
t.update(name=f"courrier-{name}", smtp_port=int(smtp), pop3_port=int(pop3),
         reset_cmd=f"sqlite3 {db} 'PRAGMA busy_timeout=10000; DELETE FROM messages; UPDATE accounts SET used_bytes = 0, message_count = 0;'",
         count_cmd=f"sqlite3 {db} 'PRAGMA busy_timeout=10000; SELECT count(*) FROM messages;' | tail -1",
         server_pids_cmd=f"cat {out}/{name}/server.pid")
json.dump(t, open(f"{out}/{name}.json", "w"), indent=1)
PY
done
echo "targets: $OUT/off.json $OUT/sender.json $OUT/all.json"
