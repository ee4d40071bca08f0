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
# The page on plain HTTP: absolute links in mails, and a session cookie without `Secure`.
export ILLUSTRATOR_PUBLIC_URL="${ILLUSTRATOR_PUBLIC_URL:-http://$BIND}"
export ILLUSTRATOR_COOKIE_SECURE="${ILLUSTRATOR_COOKIE_SECURE:-false}"
export ILLUSTRATOR_MAIL_DIR="${ILLUSTRATOR_MAIL_DIR:-$out/mail}"

"$root/target/release/illustrator" serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

# A GET that answers 200, with bash alone, so the demo needs no HTTP client installed.
answers() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
  head -1 <&3 | grep -q ' 200 '
}
ok=no
for _ in $(seq 1 120); do
  if answers /ready 2>/dev/null; then ok=yes; break; fi
  kill -0 "$server" 2>/dev/null || { echo "demo: the server stopped; see $out/server.log" >&2; exit 1; }
  sleep 0.5
done
[ "$ok" = yes ] || { echo "demo: the server is not ready; see $out/server.log" >&2; exit 1; }

name=$(basename "$article" .md)
MI_SERVER="http://$BIND" MI_API_KEY="$ILLUSTRATOR_BOOTSTRAP_KEY" \
  "$root/target/release/mi" illustrate "$article" -o "$out/$name.illustrated.md"

answers / || { echo "demo: the page does not answer; see $out/server.log" >&2; exit 1; }

echo
echo "The illustrated article: $out/$name.illustrated.md"
echo "Its pictures:            $out/images/"
echo "Server log:              $out/server.log"
echo "The page:                $ILLUSTRATOR_PUBLIC_URL/"
echo "                         (sign up there; the confirmation mail is in $ILLUSTRATOR_MAIL_DIR)"
if [ -t 0 ]; then
  echo "The server keeps running for the page; press Ctrl-C to stop it."
  wait "$server"
fi
