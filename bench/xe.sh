#!/usr/bin/env bash
# xe's wall time per command, beside a one-shot Python XenAPI script doing the same listing (log in, get_all_records,
# print, log out) against the same daemon in the same run; and beside xe run whole on the client, as it was before the
# host ran xe's commands. Usage: bench/xe.sh [runs=15]
# Builds the jar, starts a daemon (bin/flotilla, a state directory of its own, a free port) and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
runs=15
for a in "$@"; do case "$a" in runs=*) runs="${a#runs=}" ;; *) echo "xe.sh: unknown option $a" >&2; exit 2 ;; esac; done
command -v python3 >/dev/null || { echo "xe.sh: the baseline needs python3" >&2; exit 1; }
mvn -q -B -DskipTests package >/dev/null

WORK=$(mktemp -d /tmp/flotilla-xebench.XXXXXX)
DAEMON=
cleanup() {
    if [ -n "$DAEMON" ]; then kill "$DAEMON" 2>/dev/null || true; wait "$DAEMON" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'bench' > "$WORK/pw"
FLOTILLA_APP=target bin/flotilla serve --state-dir "$WORK/state" --port "$PORT" --root-password-file "$WORK/pw" > "$WORK/log" 2>&1 &
DAEMON=$!
for _ in $(seq 1 300); do grep -q "serving the XenAPI" "$WORK/log" && break; kill -0 "$DAEMON" || { cat "$WORK/log"; exit 1; }; sleep 0.2; done

cat > "$WORK/oneshot.py" <<'PY'
import ssl, sys, xmlrpc.client
cls, port = sys.argv[1], sys.argv[2]
api = xmlrpc.client.ServerProxy("https://127.0.0.1:%s/" % port, context=ssl._create_unverified_context())
session = api.session.login_with_password("root", "bench", "1.0", "bench")["Value"]
for ref, r in getattr(api, cls).get_all_records(session)["Value"].items():
    print("uuid ( RO)           : %s\n    name-label ( RW): %s\n" % (r["uuid"], r["name_label"]))
api.session.logout(session)
PY

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "xe.sh: failed: $*" >&2; exit 1; }; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
CP="target/flotilla.jar:target/lib/*"
REMOTE=(-s 127.0.0.1 -p "$PORT" -u root -pw bench)
rm -f target/xe.aot
echo "machine: $(nproc) cores; $runs runs each, alternating; wall time in ms, median"
echo "first xe command of a build (records and writes xe's AOT cache): $(FLOTILLA_STATE="$WORK/state" ms bin/xe host-list) ms"
for cls in host VM; do
    cmd=$([ "$cls" = host ] && echo host-list || echo vm-list)
    : > "$WORK/local"; : > "$WORK/https"; : > "$WORK/whole"; : > "$WORK/py"
    for _ in $(seq 1 "$runs"); do
        FLOTILLA_STATE="$WORK/state" ms bin/xe "$cmd" >> "$WORK/local"
        ms bin/xe "${REMOTE[@]}" "$cmd" >> "$WORK/https"
        ms "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" org.flotilla.cli.Xe "${REMOTE[@]}" "$cmd" >> "$WORK/whole"
        ms python3 "$WORK/oneshot.py" "$cls" "$PORT" >> "$WORK/py"
    done
    py=$(median < "$WORK/py")
    for side in local https whole; do
        m=$(median < "$WORK/$side")
        case $side in
            local) what="xe on the host (its socket)" ;;
            https) what="xe over HTTPS (-s)" ;;
            whole) what="xe run whole on the client" ;;
        esac
        printf '%-10s %-30s %5d ms   Python one-shot over HTTPS %4d ms   ratio %.2f\n' "$cmd" "$what" "$m" "$py" "$(awk -v a="$m" -v b="$py" 'BEGIN { print a / b }')"
    done
done
