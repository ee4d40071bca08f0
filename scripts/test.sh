#!/usr/bin/env bash
# The whole test suite on real NATS and PostgreSQL: sets the services up first.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/services.sh
export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"

cargo test --workspace --locked -j 2 -- --test-threads 2
