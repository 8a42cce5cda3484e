#!/usr/bin/env bash
# Live migration: XenAPI VM.pool_migrate between two daemons in network namespaces against QEMU's own migration of
# the same guest (the daemon's argv, launched by hand, QMP migrate tcp:) between the same namespaces, in the same run;
# total time and downtime (query-migrate's) of each, and the ratios (see MigrateBench's javadoc).
# Usage: bench/migrate.sh [key=value ...]   e.g. runs=5 memory-mib=512 mode=idle|dirty dirty-mib=64
#                                                 raw-tls=true (QEMU alone speaks TLS as the daemons' QEMUs do)
# Needs root (network namespaces, jailed QEMUs) and the test guest (built here if missing, see scripts/build-guest.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_java migrate.sh MigrateBench "$@"
