#!/usr/bin/env bash
# The demo: sets up NATS and PostgreSQL, builds, starts `illustrator serve`, illustrates an
# article end to end with the offline sources, and prints where the result is.
#   scripts/demo.sh [ARTICLE]    (default: ARCHITECTURE.md)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
article="${1:-ARCHITECTURE.md}"
case "$article" in /*) ;; *) article="$root/$article" ;; esac
[ -f "$article" ] || { echo "demo: no such article: $article" >&2; exit 1; }

./scripts/services.sh
cargo build --release --locked -p illustrator-server -p mi

out="$root/out/demo"
mkdir -p "$out"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/illustrator}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export ILLUSTRATOR_BOOTSTRAP_KEY="${ILLUSTRATOR_BOOTSTRAP_KEY:-mi_demo_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
port="${DEMO_PORT:-8080}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export BIND="127.0.0.1:$port"

"$root/target/release/illustrator" serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

# GET /ready with bash alone, so the demo needs no HTTP client installed.
ready() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  head -1 <&3 | grep -q ' 200 '
}
ok=no
for _ in $(seq 1 120); do
  if ready 2>/dev/null; then ok=yes; break; fi
  kill -0 "$server" 2>/dev/null || { echo "demo: the server stopped; see $out/server.log" >&2; exit 1; }
  sleep 0.5
done
[ "$ok" = yes ] || { echo "demo: the server is not ready; see $out/server.log" >&2; exit 1; }

name=$(basename "$article" .md)
MI_SERVER="http://$BIND" MI_API_KEY="$ILLUSTRATOR_BOOTSTRAP_KEY" \
  "$root/target/release/mi" illustrate "$article" -o "$out/$name.illustrated.md"

echo
echo "The illustrated article: $out/$name.illustrated.md"
echo "Its pictures:            $out/images/"
echo "Server log:              $out/server.log"
