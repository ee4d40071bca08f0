#!/usr/bin/env bash
# Renders the dashboard and the alerts from real data, for docs/monitoring/:
#   1. a NATS server of its own (nats-server from .tools/, JetStream in a temp dir) and a
#      database of its own on the local PostgreSQL;
#   2. `illustrator api`, `push`, `projector` and `worker` as four processes, as in
#      Kubernetes, scraped every 2 s by Prometheus (Debian's package) with the alert rules;
#   3. a bounded load: articles submitted at about 3 a second for 7.5 minutes and a few
#      SSE clients; the worker is stopped (SIGTERM) from 0:45 to 6:15, so the backlog and
#      the oldest job's age grow, and the age alert goes pending; then it drains;
#   4. render.py draws every dashboard panel from Prometheus, headless Chromium takes
#      screenshots of that page and of Prometheus's alerts page.
# Everything runs on 127.0.0.1 and is stopped by process id at the end.
#   deploy/monitoring/render/scenario.sh [OUT_DIR]     (default docs/monitoring)
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
out="${1:-$root/docs/monitoring}"
mkdir -p "$out"
bin="${ILLUSTRATOR_BIN:-$root/target/debug/illustrator}"
nats_bin="$root/.tools/pypi/bin/nats-server"
for tool in "$bin" "$nats_bin" /usr/bin/prometheus /usr/bin/chromium; do
  [ -x "$tool" ] || { echo "scenario: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mi-render.XXXXXX)
# The machine has no outside network: Chromium must not try to reach anything on its own.
browser_flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir=$work/chromium"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  PGPASSWORD=postgres psql -q -h 127.0.0.1 -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_all EXIT
trap "exit 1" INT TERM

nats_port=$(free_port)
"$nats_bin" -a 127.0.0.1 -p "$nats_port" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
pids+=($!)
db="mi_render_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export NATS_URL="nats://127.0.0.1:$nats_port"
export DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/$db"
export ILLUSTRATOR_NATS_MAX_BYTES=$((256 << 20))
export ILLUSTRATOR_BOOTSTRAP_KEY="render-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export LOG_FORMAT=json
# One key sends every article, above a single user's default submission limit.
export ILLUSTRATOR_LIMIT_SUBMIT=100000/1m
sleep 1
"$bin" migrate >"$work/setup.log" 2>&1
"$bin" setup-nats >>"$work/setup.log" 2>&1

declare -A port
start() {
  port[$1]=${port[$1]:-$(free_port)}
  BIND="127.0.0.1:${port[$1]}" "$bin" "$1" >"$work/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}
for component in api push projector worker; do start "$component"; done

prom_port=$(free_port)
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 2s, evaluation_interval: 5s}
rule_files: ["$root/deploy/monitoring/alerts.yaml"]
scrape_configs:
  - job_name: illustrator
    static_configs:
      - targets: ["127.0.0.1:${port[api]}", "127.0.0.1:${port[push]}",
                  "127.0.0.1:${port[projector]}", "127.0.0.1:${port[worker]}"]
EOF
/usr/bin/prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:${port[api]}/ready" >/dev/null && break; sleep 0.5
done

api="http://127.0.0.1:${port[api]}"
article() {
  printf '# Notes on run %s\n\nA short article for the dashboard.\n\n## Details\n\nSome text.\n' "$1"
}
submit() {
  article "$1" | curl -s -o /dev/null -H "Authorization: Bearer $ILLUSTRATOR_BOOTSTRAP_KEY" \
    -H 'Content-Type: text/markdown' --data-binary @- "$api/v1/documents" || true
}
started=$(date +%s)
echo "scenario: load for 450 s; worker down from 45 s to 375 s"
n=0
while [ $(( $(date +%s) - started )) -lt 450 ]; do
  elapsed=$(( $(date +%s) - started ))
  if [ "$elapsed" -ge 45 ] && [ -n "${pid_worker:-}" ] && [ "$elapsed" -lt 375 ]; then
    kill "$pid_worker"; wait "$pid_worker" 2>/dev/null || true; pid_worker=""
    echo "scenario: worker stopped at ${elapsed} s"
  fi
  if [ "$elapsed" -ge 375 ] && [ -z "${pid_worker:-}" ]; then
    chromium $browser_flags --hide-scrollbars \
      --virtual-time-budget=8000 --window-size=1400,1400 --screenshot="$out/alerts.png" \
      "http://127.0.0.1:$prom_port/classic/alerts" >/dev/null 2>&1 || true
    start worker; echo "scenario: worker started again at ${elapsed} s"
  fi
  for _ in 1 2 3; do n=$((n + 1)); submit "$n" & done
  if [ $((n % 150)) -eq 3 ]; then
    id=$(curl -s -H "Authorization: Bearer $ILLUSTRATOR_BOOTSTRAP_KEY" \
      -H 'Content-Type: text/markdown' --data-binary "# SSE $n" "$api/v1/documents" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -sN -m 120 -H "Authorization: Bearer $ILLUSTRATOR_BOOTSTRAP_KEY" \
      "http://127.0.0.1:${port[push]}/v1/documents/$id/events" >/dev/null 2>&1 &
    pids+=($!)
  fi
  wait_jobs=$(jobs -rp | wc -l); [ "$wait_jobs" -gt 40 ] && sleep 0.5
  sleep 1
done
wait_end=$(date +%s)
sleep 20
finished=$(date +%s)
echo "scenario: $n articles submitted; rendering"

python3 "$root/deploy/monitoring/render/render.py" --prometheus "http://127.0.0.1:$prom_port" \
  --start "$started" --end "$finished" --step 5 --out "$work/dashboard.html" \
  --note "Drawn from Prometheus 2.42 scraping illustrator api, push, projector and worker every 2 s. $n articles at about 3 a second; the worker was stopped from 0:45 to 6:15. Window: $((finished - started)) s."
chromium $browser_flags --hide-scrollbars --window-size=1680,1620 \
  --screenshot="$out/dashboard.png" "file://$work/dashboard.html" >/dev/null 2>&1
echo "scenario: wrote $out/dashboard.png and $out/alerts.png (load ended at $((wait_end - started)) s)"
