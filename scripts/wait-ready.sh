#!/usr/bin/env bash
# Waits until every URL given answers 2xx (a service's /readyz), up to 2 minutes each: a
# broker that has just restarted can be slow to declare queues. Exits 1 naming the first
# URL that never did.
set -uo pipefail
for url in "$@"; do
  for _ in $(seq 1 600); do
    curl -fs "$url" >/dev/null && continue 2
    sleep 0.2
  done
  echo "not ready: $url" >&2
  exit 1
done
