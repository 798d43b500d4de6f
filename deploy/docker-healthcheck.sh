#!/bin/bash
# hookrelay-healthcheck PORT [PATH]
# Exits 0 when `GET PATH` (default /readyz) on 127.0.0.1:PORT answers 200. Uses only bash
# (/dev/tcp), because the runtime image ships no curl or wget. Used by the Dockerfile's
# HEALTHCHECK and by docker-compose.yml; Kubernetes uses its own httpGet probes instead.
set -eu

port=${1:?usage: hookrelay-healthcheck PORT [PATH]}
path=${2:-/readyz}

if ! exec 3<>"/dev/tcp/127.0.0.1/${port}"; then
  echo "unhealthy: nothing listens on 127.0.0.1:${port}" >&2
  exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3

status=""
IFS= read -r -t 4 status <&3 || true
exec 3<&-

case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *)
    echo "unhealthy: GET ${path} on :${port} answered: ${status:-nothing}" >&2
    exit 1
    ;;
esac
