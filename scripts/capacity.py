#!/usr/bin/env python3
"""How many machines of each tier a delivery rate needs, from `make bench`'s measurements.

    scripts/capacity.py [--rate 100000] [--cores 8] [--utilization 0.6]
                        [--scenario steady] [--results bench/results]

Reads bench/results/<scenario>.json (written by `make bench`): the CPU seconds each
process spent per 1,000 deliveries. A tier needs rate x CPU-per-delivery cores, divided
by the cores of one node and the share of them you are willing to use. The other limits
(PostgreSQL's WAL and disk, RabbitMQ's per-queue ceiling) are in docs/SCALING.md; this
only answers the CPU question, which is what bounds hookrelay on the measured machine.
"""

import argparse
import json
import math
import pathlib
import sys

TIERS = [
    ("api", "API processes (stateless, behind a load balancer)"),
    ("dispatcher", "dispatchers (stateless, one consumer each)"),
    ("postgres", "PostgreSQL (primary; see SCALING.md for sharding)"),
    ("rabbitmq", "RabbitMQ nodes"),
]


def plan(cpu_per_1000, rate, cores, utilization):
    """Rows of (tier, cpu ms per delivery, cores needed, nodes)."""
    rows = []
    for tier, _ in TIERS:
        ms = cpu_per_1000.get(tier, 0.0)  # CPU seconds per 1,000 = ms per delivery
        needed = rate * ms / 1000.0
        rows.append((tier, ms, needed, max(1, math.ceil(needed / (cores * utilization)))))
    return rows


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=100_000, help="deliveries per second")
    p.add_argument("--cores", type=int, default=8, help="cores of one node")
    p.add_argument("--utilization", type=float, default=0.6, help="target CPU share per node")
    p.add_argument("--scenario", default="steady", help="bench scenario to read")
    p.add_argument("--results", default="bench/results", help="where make bench wrote JSON")
    args = p.parse_args(argv)
    path = pathlib.Path(args.results) / f"{args.scenario}.json"
    try:
        result = json.loads(path.read_text())
    except FileNotFoundError:
        sys.exit(f"{path} not found: run `make run`, then `make bench` first")
    cpu = result["cpu_seconds_per_1000_deliveries"]
    print(f"{args.rate:,.0f} deliveries/s from {path} "
          f"({result['deliveries_per_sec']:,.0f} deliveries/s measured), "
          f"{args.cores}-core nodes at {args.utilization:.0%}:")
    print(f"{'tier':<11} {'CPU ms/delivery':>16} {'cores':>8} {'nodes':>6}")
    total = 0.0
    for tier, ms, needed, nodes in plan(cpu, args.rate, args.cores, args.utilization):
        total += needed
        print(f"{tier:<11} {ms:>16.3f} {needed:>8.1f} {nodes:>6}")
    print(f"{'total':<11} {sum(cpu.get(t, 0.0) for t, _ in TIERS):>16.3f} {total:>8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
