#!/usr/bin/env bash
# The peers scenario alone (bench/scenarios/peers.sh; see bench/README.md), without the common prime.
BENCH_SCENARIOS=peers BENCH_PRIME_REQUESTS="${BENCH_PRIME_REQUESTS:-0}" exec "$(dirname "$0")/run.sh" "$@"
