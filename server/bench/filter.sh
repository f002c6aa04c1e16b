#!/usr/bin/env bash
# The filter stage measured (issue 14): three release `courrier` instances for the shared load
# generator, beside the peers (../shared/bench), each with the bench users of setup.sh:
#   off     SMTP 22525  no check ([filter] sender = false)
#   sender  SMTP 23525  SPF/DKIM/DMARC/ARC, through a DNS server on loopback that serves
#                       mailbench.invalid's SPF and DMARC records with a 300 s TTL (a resolver
#                       caches them, as a host's does)
#   all     SMTP 24525  the sender checks, ClamAV's clamd and rspamd (.ci/clamd, .ci/rspamd)
# Writes the targets to $OUT/{off,sender,all}.json. `stop` stops everything it started.
#   server/bench/filter.sh && cd ../shared/bench && python3 run_matrix.py bench --only smtp-4k-c32 \
#     --target /tmp/peers.json --target $OUT/off.json --target $OUT/sender.json --target $OUT/all.json
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/var/tmp/courrier-filter-bench}"
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
{"mailbench.invalid": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
 "_dmarc.mailbench.invalid": {"TXT": ["v=DMARC1; p=none"]}}
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
         reset_cmd=f"sqlite3 {db} 'PRAGMA busy_timeout=10000; DELETE FROM messages; UPDATE accounts SET used_bytes = 0;'",
         count_cmd=f"sqlite3 {db} 'PRAGMA busy_timeout=10000; SELECT count(*) FROM messages;' | tail -1",
         server_pids_cmd=f"cat {out}/{name}/server.pid")
json.dump(t, open(f"{out}/{name}.json", "w"), indent=1)
PY
done
echo "targets: $OUT/off.json $OUT/sender.json $OUT/all.json"
