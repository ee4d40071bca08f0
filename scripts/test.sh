#!/usr/bin/env bash
# The whole test suite on real NATS and PostgreSQL, then the page in a browser: sets the
# services up first.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/services.sh
export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"

cargo test --workspace --locked -j 2 -- --test-threads 2

# The page in headless Chromium (services.sh installed it), with the test's node modules
# from its package-lock.json.
(cd crates/server/tests/web && npm ci --no-audit --no-fund --loglevel=error)
cargo test -p illustrator-server --test web --locked -j 2
