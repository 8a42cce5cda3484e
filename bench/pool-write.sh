#!/usr/bin/env bash
# Write latency through a member against through the coordinator: in a pool of daemons in network namespaces (3 by
# default), VM.set_name_description over HTTPS sent to the coordinator or to a member (which commits through the
# coordinator), alternately, with a kept session and with a one-shot client (new TLS connection, login, write,
# logout, as xe does); median and p99 of each and the ratio member / coordinator (see PoolWriteBench's javadoc).
# Usage: bench/pool-write.sh [key=value ...]   e.g. hosts=3 calls=500 one-shot-calls=100
# Needs root (network namespaces).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_java pool-write.sh PoolWriteBench "$@"
