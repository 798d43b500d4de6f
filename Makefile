# hookrelay developer commands. See README.md.
CARGO_TARGET_DIR ?= $(HOME)/.cache/hookrelay-target
export CARGO_TARGET_DIR

.PHONY: run test lint fmt migrate build release services clean-test bench $(BENCH_SCENARIOS) bench-table bench-scale bench-history bench-retention console console-check console-deps chaos check-api clients check-clients

## Start PostgreSQL/RabbitMQ if needed, migrate, run all three services (Ctrl-C stops).
run:
	@scripts/run.sh

## Run every test against the local PostgreSQL and RabbitMQ (and the console in Chromium).
## Leftovers are removed before and after (a broker left with hundreds of a run's
## queues stopped accepting connections).
test: services clean-test console-deps
	cargo build --workspace --bins
	cargo test --workspace --all-targets; status=$$?; scripts/clean-test-leftovers.sh; exit $$status

## rustfmt check + clippy with warnings denied.
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

## Apply database migrations to the configured database.
migrate: services
	cargo run --release -p hookrelay-api -- migrate

## Load test a running system (start it with `make run` first). BENCH_ARGS=--quick for a short run.
## `make bench noisy` (or steady, fanout, paced, retry, backlog, fifo) runs those scenarios only.
BENCH_SCENARIOS := steady fanout paced retry backlog noisy fifo
bench:
	cargo build --release -p hookrelay-bench
	$(CARGO_TARGET_DIR)/release/hookrelay-bench $(BENCH_ARGS) $(filter $(BENCH_SCENARIOS),$(MAKECMDGOALS))

# Scenario names given after `make bench` are its arguments, not targets of their own.
$(BENCH_SCENARIOS):
	@:

## One API and one dispatcher, then two of each, on this box (stop make run first).
## Write the last full run's table (bench/results/summary.json) into the README and
## docs/PERFORMANCE.md, between their bench:start/end markers.
bench-table:
	cargo build --release -p hookrelay-bench
	$(CARGO_TARGET_DIR)/release/hookrelay-bench table --write README.md docs/PERFORMANCE.md

bench-scale:
	@scripts/scale-bench.sh

build:
	cargo build --workspace

release:
	cargo build --release --workspace --bins

services:
	@scripts/ensure-services.sh

## Rebuild the console (console/dist, committed and compiled into hookrelay-api).
console: console-deps
	cd console && npm run build

## Fails if console/dist is not what console/src builds (CI).
console-check: console
	git diff --exit-code --stat -- console/dist

console-deps:
	@scripts/ensure-console.sh

clean-test:
	@scripts/clean-test-leftovers.sh

## Regenerate the Python and TypeScript clients from the API's OpenAPI document.
clients:
	@scripts/clients.sh generate

## Regenerate the clients, fail on a difference, and test them against a real API.
check-clients:
	@scripts/clients.sh check

## schemathesis (every check) against the OpenAPI documents of a running API and ingester.
check-api: clean-test
	@scripts/check-api.sh

## Fault scenarios against the real services (process kills, broker and database stops,
## purged queues, failing receivers, a RabbitMQ cluster node lost); fails on any loss.
## CHAOS_ARGS="api-sigkill --rate 200" to pick scenarios and load. Its queues and
## databases are removed afterwards, as after make test.
chaos: services clean-test
	cargo build --bins -p hookrelay-api -p hookrelay-dispatcher -p hookrelay-chaos
	$(CARGO_TARGET_DIR)/debug/hookrelay-chaos --cluster-script $(CURDIR)/scripts/rabbitmq-cluster.sh --out bench/results/chaos.json $(CHAOS_ARGS); \
	  status=$$?; scripts/clean-test-leftovers.sh; exit $$status

## The webhook log and stats on a 1,000,000-attempt history (ATTEMPTS=... to change).
bench-history:
	@scripts/large-history.sh

## The API's latency while retention deletes 1,000,000 old attempts (ATTEMPTS=...).
bench-retention:
	@scripts/retention-bench.sh
