#!/usr/bin/env bash
# A pool of several hosts on one machine: each host a daemon in a network namespace of its own, with its own
# address, state directory and hostname, joined by veth pairs to a bridge; the first host the coordinator, the
# others joined to it with xe pool-join, as an administrator joins real hosts.
#
#   scripts/pool-demo.sh up [N [S]]  N hosts (default 3) at 10.251.0.1 … 10.251.0.N in one pool, and S more (default 0)
#                                    after them, each a pool of its own (somewhere to move VMs to another pool);
#                                    this machine is 10.251.0.254
#   scripts/pool-demo.sh hosts [N]   N hosts, each a pool of its own (to join by hand, or as a baseline)
#   scripts/pool-demo.sh down      stops the daemons (and their VMs) and removes the namespaces, links and state
#
# Run scripts/setup.sh first (it installs what is needed and builds). As root. Settings: FLOTILLA_DEMO (where
# the hosts' state and logs go, default /var/tmp/flotilla-pool-demo); FLOTILLA_DEMO_JAVA_OPTS (each daemon's JVM
# options: by default a small one, so that 64 hosts fit in ~20 GB); FLOTILLA_DEMO_MIB_PER_HOST (what a host is
# reckoned to take, 256: hosts that would not fit in the memory available are refused); FLOTILLA_DEMO_BATCH (how
# many daemons start at once, default twice the cores: all at once, dozens of JVMs starting would starve each other).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEMO="${FLOTILLA_DEMO:-/var/tmp/flotilla-pool-demo}"
NET=10.251.0
NS=fltdemo
# One demo daemon: the serial collector and a capped heap (the pool's database is small), a smaller code cache, and
# in pools of more than 8 only the first JIT tier (C2 compiling in dozens of JVMs at once would take the cores for
# minutes; but without C2 the migrations' TLS runs at a tenth of its speed, so small pools keep it).
# Measured here (bench/pool.sh 3): ~175 MiB resident per daemon with these options, so 64 take ~11 GiB; ZGC with
# the JVM's own heap sizing would reserve a quarter of the machine for each.
JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=160m"
FIRST_TIER_FROM=9
MIB_PER_HOST="${FLOTILLA_DEMO_MIB_PER_HOST:-256}"
BATCH="${FLOTILLA_DEMO_BATCH:-$(( $(nproc) * 2 ))}"

say() { echo "pool-demo: $*"; }
fail() { echo "flotilla: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "pool-demo.sh needs root (it makes network namespaces)"

hosts() {
    local n="${1:-3}"
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || fail "the number of hosts must be 1 to 200"
    [ -f "$ROOT/target/flotilla.jar" ] || fail "no build in $ROOT/target: run scripts/setup.sh first"
    ip netns list | grep -q "^$NS-sw\b" && fail "a demo pool is up already: scripts/pool-demo.sh down first"
    local avail_mib
    avail_mib=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo)
    [ $(( n * MIB_PER_HOST )) -le $(( avail_mib - 1024 )) ] \
        || fail "$n hosts need ~$(( n * MIB_PER_HOST )) MiB (FLOTILLA_DEMO_MIB_PER_HOST=$MIB_PER_HOST each) and 1 GiB to spare; $avail_mib MiB are available"
    mkdir -p "$DEMO"
    chmod 700 "$DEMO"
    [ -f "$DEMO/password" ] || head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/password"
    chmod 600 "$DEMO/password"

    # the switch: a bridge in a namespace of its own, and a link to it from this machine
    ip netns add "$NS-sw"
    ip -n "$NS-sw" link add br0 type bridge
    ip -n "$NS-sw" link set br0 up
    ip link add "$NS-gw" type veth peer name gw netns "$NS-sw"
    ip -n "$NS-sw" link set gw master br0 up
    ip addr add "$NET.254/24" dev "$NS-gw"
    ip link set "$NS-gw" up

    # each host resolves its own name and the others' (ip netns exec binds /etc/netns/<ns>/hosts over /etc/hosts)
    local hosts="127.0.0.1 localhost"$'\n'
    for i in $(seq 1 "$n"); do hosts+="$NET.$i host$i"$'\n'; done
    for i in $(seq 1 "$n"); do
        mkdir -p "/etc/netns/$NS-h$i"
        printf '%s' "$hosts" > "/etc/netns/$NS-h$i/hosts"
    done
    local pw opts="$JAVA_OPTS"
    pw="$(cat "$DEMO/password")"
    [ "$n" -ge "$FIRST_TIER_FROM" ] && opts+=" -XX:TieredStopAtLevel=1"
    opts="${FLOTILLA_DEMO_JAVA_OPTS:-$opts}"
    for i in $(seq 1 "$n"); do
        ip netns add "$NS-h$i"
        ip link add "$NS-h$i" type veth peer name "p$i" netns "$NS-sw"
        ip -n "$NS-sw" link set "p$i" master br0 up
        ip link set "$NS-h$i" netns "$NS-h$i"
        ip -n "$NS-h$i" link set "$NS-h$i" name eth0
        ip -n "$NS-h$i" addr add "$NET.$i/24" dev eth0
        ip -n "$NS-h$i" link set eth0 up
        ip -n "$NS-h$i" link set lo up
        mkdir -p "$DEMO/h$i"
        # its own hostname (a UTS namespace) and, since ip netns exec mounts a fresh /sys, the cgroups again
        FLOTILLA_JAVA_OPTS="$opts" ip netns exec "$NS-h$i" unshare --uts sh -c "hostname host$i; mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || :; exec \"\$@\"" sh \
            "$ROOT/bin/flotilla" serve --state-dir "$DEMO/h$i/state" --port 443 --bind "$NET.$i" --address "$NET.$i" \
            --root-password-file "$DEMO/password" > "$DEMO/h$i/daemon.log" 2>&1 < /dev/null &
        echo $! > "$DEMO/h$i/pid"
        # a batch started: it serves before the next starts
        if [ $(( i % BATCH )) = 0 ] || [ "$i" = "$n" ]; then
            for j in $(seq $(( (i - 1) / BATCH * BATCH + 1 )) "$i"); do await_host "$j" "$pw" 1; done
        fi
    done
    say "$n hosts serving at $NET.1-$n; root's password is in $DEMO/password"
}

up() {
    local n="${1:-3}" single="${2:-0}" pw
    [[ "$single" =~ ^[0-9]+$ ]] || fail "the number of single hosts must be a number"
    [[ "$n" =~ ^[0-9]+$ ]] || fail "the number of hosts must be 1 to 200"
    hosts "$((n + single))"
    pw="$(cat "$DEMO/password")"
    say "joining hosts 2 to $n to host 1's pool"
    for i in $(seq 2 "$n"); do
        "$ROOT/bin/xe" -s "$NET.$i" -u root -pw "$pw" pool-join master-address="$NET.1" master-username=root master-password="$pw"
        await_host "$i" "$pw" "$i"
    done
    say "a pool of $n hosts$([ "$single" -gt 0 ] && echo ", and $single host(s) of their own pool at $NET.$((n + 1))-$((n + single))"). Try:"
    echo "  export XE_EXTRA_ARGS=\"server=$NET.1,username=root,password=$pw\""
    echo "  $ROOT/bin/xe host-list params=name-label,address"
    echo "  $ROOT/bin/xe -s $NET.2 -u root -pw $pw pool-param-get uuid=\$($ROOT/bin/xe pool-list --minimal) param-name=master"
}

# Waits until host $1 serves the API in a pool of at least $3 hosts.
await_host() {
    local i="$1" pw="$2" hosts="$3"
    for _ in $(seq 1 240); do
        local count
        count=$("$ROOT/bin/xe" -s "$NET.$i" -u root -pw "$pw" host-list --minimal 2>/dev/null | tr ',' '\n' | grep -c . || :)
        [ "${count:-0}" -ge "$hosts" ] && return 0
        kill -0 "$(cat "$DEMO/h$i/pid")" 2>/dev/null || { log_tail "$i"; fail "host $i's daemon exited; see $DEMO/h$i/daemon.log"; }
        sleep 0.5
    done
    log_tail "$i"
    fail "host $i did not serve in a pool of $hosts within 2 minutes; see $DEMO/h$i/daemon.log"
}

# The end of host $1's log, on standard error: a bench's clean-up removes the log itself.
log_tail() {
    echo "--- the last lines of host $1's log ---" >&2
    grep -v '^[[:space:]]*at ' "$DEMO/h$1/daemon.log" 2>/dev/null | tail -n 40 >&2 || :
}

down() {
    for pidfile in "$DEMO"/h*/pid; do
        [ -f "$pidfile" ] || continue
        local pid
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || :
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || :
    done
    # what still runs in a host's namespace (its VMs' QEMUs) goes with it
    for ns in $(ip netns list | awk '{print $1}' | grep "^$NS-" || :); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || :; done
        ip netns delete "$ns"
        rm -rf "/etc/netns/$ns"
    done
    rm -rf /etc/netns/"$NS"-h*
    ip link delete "$NS-gw" 2>/dev/null || :
    rm -rf "$DEMO"
    say "down"
}

case "${1:-}" in
    up) up "${2:-3}" "${3:-0}" ;;
    hosts) hosts "${2:-3}" ;;
    down) down ;;
    *) echo "usage: scripts/pool-demo.sh up [N [S]] | hosts [N] | down" >&2; exit 2 ;;
esac
