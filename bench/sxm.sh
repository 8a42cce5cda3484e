#!/usr/bin/env bash
# Storage XenMotion: XenAPI VM.migrate_send of a guest writing all over its 1 GiB disk, from one host's own SR to
# the other's, between two daemons in network namespaces, against the raw QMP sequence between two QEMUs launched by
# hand in the same namespaces over the same link (NBD export on the destination, blockdev-mirror on the source, then
# migrate), in the same run; total time, disk copy, downtime and the guest's pause of each, and the ratios (see
# SxmBench's javadoc).
# Usage: bench/sxm.sh [key=value ...]   e.g. runs=3 warmup=1 disk-mib=1024 memory-mib=256 writer-kib=64 writer-ms=10
#                                             copy-mode=background,write-blocking|write-blocking|background sides=both|flotilla|raw
#                                             raw-tls=true (QEMU alone speaks TLS as the daemons' QEMUs do)
# Needs root (network namespaces, jailed QEMUs), qemu-img and qemu-io, and the test guest (built here if missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_java sxm.sh SxmBench "$@"
