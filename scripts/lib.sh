# Shared by setup.sh and test.sh: installs what Flotilla needs on a Debian 12 machine and builds it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "flotilla: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "$1 needs root: run this as root, or install sudo"; fi
}

# The daemon and the tests run VMs in jails, make taps and bridges: they need root. A user who may sudo is
# taken there, with the settings this script reads (never on a command line, where ps would show them).
need_root() {
  [ "$(id -u)" = 0 ] && return
  command -v sudo >/dev/null 2>&1 || die "this runs VMs as root: run it as root, or install sudo"
  exec sudo --preserve-env=FLOTILLA_STATE,FLOTILLA_PORT,FLOTILLA_ROOT_PASSWORD,FLOTILLA_ALLOWED_ORIGINS,JAVA_HOME,CI bash "$0" "$@"
}

# Debian packages: QEMU (with qemu-block-extra, whose NFS and iSCSI drivers, libnfs and libiscsi, reach NFS and iSCSI SRs), OVMF and swtpm (UEFI, Secure Boot
# and vTPMs), the tools to build the test guest, Maven, Node for the Xen Orchestra client tests.
install_packages() {
  install_qemu
  local want=(busybox-static cpio gcc libc6-dev xz-utils zstd ovmf seabios swtpm maven nodejs npm iproute2 openssl ca-certificates)
  local missing=()
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  # npm may come with a Node installed outside Debian's packages
  if command -v npm >/dev/null 2>&1; then missing=("${missing[@]/npm}"); missing=("${missing[@]/nodejs}"); fi
  local list=(); for p in "${missing[@]}"; do [ -n "$p" ] && list+=("$p"); done
  apt_install "${list[@]}"
}

# QEMU 10 or later. Debian 12's own QEMU, 7.2, corrupts the memory of a guest that writes to its disk while it is live
# migrated under TCG (QEMU alone, without Flotilla, does it too; see docs/design.md, "QEMU's version"); Debian 12 takes a
# later one from Debian's own backports, which this adds to apt's sources. Debian 13 and later have one of their own.
QEMU_PACKAGES=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils qemu-block-extra)
QEMU_AT_LEAST=1:10.0
install_qemu() {
  qemu_new_enough && return 0
  command -v apt-get >/dev/null 2>&1 || die "QEMU ${QEMU_AT_LEAST#1:} or later is needed (with qemu-utils and qemu-block-extra), and there is no apt-get to install it"
  local codename; codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
  local from=()
  if [ "$codename" = bookworm ]; then
    local list=/etc/apt/sources.list.d/flotilla-bookworm-backports.list
    if ! grep -rqs '^deb .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "deb http://deb.debian.org/debian bookworm-backports main" | as_root tee "$list" >/dev/null
    fi
    from=(-t bookworm-backports)
  fi
  apt_install --no-install-recommends "${from[@]}" -- "${QEMU_PACKAGES[@]}"
  qemu_new_enough || die "apt installed QEMU $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null), older than ${QEMU_AT_LEAST#1:}"
}

# Every QEMU package installed, each at QEMU_AT_LEAST or later.
qemu_new_enough() {
  local p v
  for p in "${QEMU_PACKAGES[@]}"; do
    v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null) || return 1
    case "$v" in "install ok installed "*) ;; *) return 1 ;; esac
    dpkg --compare-versions "${v##* }" ge "$QEMU_AT_LEAST" || return 1
  done
}

# What only the tests need: an NFS server (nfs-ganesha and rpcbind) and an iSCSI target (tgt) that the NFS and iSCSI SR
# tests start in namespaces of their own. Installed without starting their services, which stay stopped and disabled:
# the tests run their own.
install_test_packages() {
  # ganesha's VFS backend finds an export's file system in /etc/mtab, which a Debian system has (a link to the kernel's
  # table) but a minimal root may lack: without it ganesha serves no export
  [ -e /etc/mtab ] || as_root ln -s ../proc/self/mounts /etc/mtab
  local list=()
  for p in nfs-ganesha nfs-ganesha-vfs rpcbind tgt; do dpkg -s "$p" >/dev/null 2>&1 || list+=("$p"); done
  [ ${#list[@]} -gt 0 ] || return 0
  local policy=/usr/sbin/policy-rc.d placed=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy" && placed=1
  fi
  local rc=0
  (apt_install "${list[@]}") || rc=$?
  if [ -n "$placed" ]; then as_root rm -f "$policy"; fi
  [ "$rc" = 0 ] || exit "$rc"
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now rpcbind.socket rpcbind.service nfs-ganesha.service tgt.service >/dev/null 2>&1 || true
  fi
}

# apt_install [APT-GET OPTIONS --] PACKAGE...
apt_install() {
  local opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
  fi
  [ $# -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 || die "missing $*, and no apt-get to install them: install them, then run this again"
  echo "flotilla: installing $*"
  local log; log=$(mktemp)
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opts[@]}" "$@"; } >"$log" 2>&1; then
    local why; why=$(grep -E '^(E|W):' "$log" | tail -1); rm -f "$log"
    die "could not install $*${why:+ ($why)}; install them by hand (apt-get install ${opts[*]} $*), then run this again"
  fi
  rm -f "$log"
}

# The JDK Flotilla builds with: Java 25 (Temurin). Debian 12 packages only Java 17, so take a JDK 25
# already under /usr/lib/jvm, or Temurin's package where its apt repository is configured.
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then return; fi
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25*; do
    if [ -x "$d/bin/javac" ]; then export JAVA_HOME="$d"; return; fi
  done
  if apt-cache policy temurin-25-jdk 2>/dev/null | grep -q Candidate: && ! apt-cache policy temurin-25-jdk | grep -q 'Candidate: (none)'; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq temurin-25-jdk >/dev/null
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; return
  fi
  echo "flotilla: no Java 25 JDK found under /usr/lib/jvm; install Temurin 25 (temurin-25-jdk)" >&2
  exit 1
}

build() {
  (cd "$ROOT" && mvn -B -q -DskipTests package)
}
