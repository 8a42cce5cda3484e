#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, makes the test guest, then Maven's tests
# (unit, API, real QEMU guests, and the real clients: XenServer's Java SDK and Xen Orchestra's xen-api).
source "$(dirname "$0")/lib.sh"
need_root "$@"
install_packages
install_test_packages
find_jdk
[ -x "$ROOT/scripts/build-guest.sh" ] && "$ROOT/scripts/build-guest.sh" >/dev/null
if [ -f "$ROOT/clients/xo/package-lock.json" ]; then (cd "$ROOT/clients/xo" && npm ci --silent --no-audit --no-fund); fi
cd "$ROOT" && mvn -B verify
