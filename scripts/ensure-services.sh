#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on 127.0.0.1, then creates the hookrelay
# database. Used by `make run` and `make test`. For each service that does not answer:
#   - installed but stopped: start it;
#   - not installed, on Debian/Ubuntu as root or with sudo: install it with apt-get (for
#     PostgreSQL, also let the `postgres` user in over 127.0.0.1 without a password, as
#     config/default.toml expects: a development machine's set-up), then start it;
#   - else, with Docker: `docker compose up -d` its service from docker-compose.yml;
#   - else: say how to install it, and fail.
# HOOKRELAY_INSTALL=no never installs anything (it only says how).
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGUSER_NAME=${PGUSER_NAME:-postgres}
DB_NAME=${HOOKRELAY_DB_NAME:-hookrelay}
MAY_INSTALL=${HOOKRELAY_INSTALL:-yes}

# decide INSTALLED APT ROOT COMPOSE MAY_INSTALL (each yes/no): how to bring up a service
# that does not answer. Prints start | apt | compose | explain.
decide() {
  local installed=$1 apt=$2 root=$3 compose=$4 may_install=$5
  if [ "$installed" = yes ]; then
    echo start
  elif [ "$may_install" != yes ]; then
    echo explain
  elif [ "$apt" = yes ] && [ "$root" = yes ]; then
    echo apt
  elif [ "$compose" = yes ]; then
    echo compose
  else
    echo explain
  fi
}

# Sourced with --decide-only (by the table test of `decide`): stop here.
if [ "${1:-}" = --decide-only ]; then
  return 0 2>/dev/null || exit 0
fi

cd "$(dirname "$0")/.."

yes_if() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  local host=$1 port=$2 what=$3 tries=${4:-60}
  for _ in $(seq "$tries"); do
    port_open "$host" "$port" && return 0
    sleep 1
  done
  echo "error: $what did not come up on $host:$port" >&2
  return 1
}

# Runs a command as root: directly, or through sudo (which may ask for a password).
as_root() {
  if [ "$EUID" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

HAS_APT=$(yes_if command -v apt-get)
HAS_ROOT=no
if [ "$EUID" -eq 0 ] || command -v sudo >/dev/null 2>&1; then HAS_ROOT=yes; fi
HAS_COMPOSE=$(yes_if docker compose version)

explain() {
  cat >&2 <<MSG
error: $1 is not running on 127.0.0.1:$2 and could not be installed here
(installing needs apt-get with root or sudo, or Docker; HOOKRELAY_INSTALL=$MAY_INSTALL).
Install it one of these ways, then run the command again:
  - Debian/Ubuntu:  sudo apt-get install -y postgresql rabbitmq-server
  - Docker:         docker compose up -d postgres rabbitmq
MSG
  exit 1
}

APT_UPDATED=no
apt_install() {
  echo "installing $* with apt-get..."
  if [ "$APT_UPDATED" = no ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=yes
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# The newest PostgreSQL cluster's version under /etc/postgresql (empty: none).
pg_cluster_version() {
  local newest="" v dir
  for dir in /etc/postgresql/*/main; do
    [ -d "$dir" ] || continue
    v=$(basename "$(dirname "$dir")")
    if [ -z "$newest" ] || [ "${v%%.*}" -gt "${newest%%.*}" ]; then newest=$v; fi
  done
  echo "$newest"
}

pg_installed() { command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_cluster_version)" ]; }

start_postgres() {
  echo "starting PostgreSQL..."
  local version
  version=$(pg_cluster_version)
  if [ "$HAS_ROOT" = yes ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  wait_port "$PGHOST_ADDR" 5432 PostgreSQL
}

# A PostgreSQL this script installed: the postgres user may connect over 127.0.0.1
# without a password, as the development settings do (config/default.toml).
trust_loopback() {
  local hba
  hba="/etc/postgresql/$(pg_cluster_version)/main/pg_hba.conf"
  if ! as_root grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    echo "PostgreSQL: the postgres user may now connect over 127.0.0.1 without a password ($hba)"
  fi
}

compose_up() {
  echo "starting $1 with docker compose..."
  docker compose up -d "$1"
}

# PostgreSQL
if ! port_open "$PGHOST_ADDR" 5432; then
  case $(decide "$(yes_if pg_installed)" "$HAS_APT" "$HAS_ROOT" "$HAS_COMPOSE" "$MAY_INSTALL") in
    start) start_postgres ;;
    apt)
      apt_install postgresql
      trust_loopback
      if port_open "$PGHOST_ADDR" 5432; then
        as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster_version)" main reload
      fi
      port_open "$PGHOST_ADDR" 5432 || start_postgres
      ;;
    compose)
      compose_up postgres
      wait_port "$PGHOST_ADDR" 5432 PostgreSQL 120
      ;;
    *) explain PostgreSQL 5432 ;;
  esac
fi

# RabbitMQ
if ! port_open 127.0.0.1 5672; then
  case $(decide "$(yes_if command -v rabbitmq-server)" "$HAS_APT" "$HAS_ROOT" "$HAS_COMPOSE" "$MAY_INSTALL") in
    start | apt)
      if ! command -v rabbitmq-server >/dev/null 2>&1; then
        apt_install rabbitmq-server
      fi
      # apt's post-install starts it where systemd runs; elsewhere, start it here.
      if ! port_open 127.0.0.1 5672; then
        echo "starting RabbitMQ..."
        if [ "$HAS_ROOT" = yes ]; then as_root rabbitmq-server -detached; else rabbitmq-server -detached; fi
      fi
      wait_port 127.0.0.1 5672 RabbitMQ 120
      ;;
    compose)
      compose_up rabbitmq
      wait_port 127.0.0.1 5672 RabbitMQ 120
      ;;
    *) explain RabbitMQ 5672 ;;
  esac
fi

# The project's database (with Docker, psql may be missing: the API creates nothing, so
# the compose service creates it, POSTGRES_DB).
if command -v psql >/dev/null 2>&1; then
  exists=$(psql -h "$PGHOST_ADDR" -U "$PGUSER_NAME" -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [ "$exists" != "1" ]; then
    psql -h "$PGHOST_ADDR" -U "$PGUSER_NAME" -d postgres -qc "CREATE DATABASE $DB_NAME"
    echo "created database $DB_NAME"
  fi
fi
