#!/usr/bin/env bash
# VM.get_all_records at 10,000 VMs over HTTPS: JSON-RPC beside XML-RPC, plain and gzip, in the same rounds.
#   bench/records.sh                 in-process Java client over loopback (RecordsBench: read, read+parse)
#   bench/records.sh link=1gbit      as root: real clients (curl, Python's xmlrpc.client and json) over loopback and
#                                    from a network namespace behind a veth pair shaped with tc tbf to that rate
# Options: vms=10000 rounds=11 (Java) / rounds=7 (link)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
link= vms=10000 rounds=
for a in "$@"; do case "$a" in link=*) link="${a#link=}" ;; vms=*) vms="${a#vms=}" ;; rounds=*) rounds="${a#rounds=}" ;;
    *) echo "records.sh: unknown option $a" >&2; exit 2 ;; esac; done
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
JAVA=("$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
      -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.RecordsBench "vms=$vms")
if [ -z "$link" ]; then exec "${JAVA[@]}" "rounds=${rounds:-11}"; fi
rounds=${rounds:-7}
[ "$(id -u)" = 0 ] || { echo "records.sh: link= needs root (network namespace, tc)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/flotilla-records.XXXXXX)
NS=flrec$$ HOSTIF=flrec$$a PEERIF=flrec$$b NET=10.213.$(( $$ % 250 ))
SERVER= HOLDER=
cleanup() {
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null || true
    if [ -n "$SERVER" ]; then
        # its input closed, the bench stops its daemon and removes its state directory: given time before a signal
        for _ in $(seq 30); do kill -0 "$SERVER" 2>/dev/null || break; sleep 1; done
        kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true
    fi
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$HOSTIF" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip link add "$HOSTIF" type veth peer name "$PEERIF"
ip link set "$PEERIF" netns "$NS"
ip addr add "$NET.1/30" dev "$HOSTIF"; ip link set "$HOSTIF" up
ip -n "$NS" addr add "$NET.2/30" dev "$PEERIF"; ip -n "$NS" link set "$PEERIF" up; ip -n "$NS" link set lo up
# replies leave the host side towards the namespace: shape that direction
tc qdisc add dev "$HOSTIF" root tbf rate "$link" burst 1mb latency 100ms

# the daemon listens on the host side's address: from the host it is reached over loopback, from the namespace over the link
mkfifo "$WORK/in"
sleep 3600 > "$WORK/in" & HOLDER=$!
"${JAVA[@]}" "serve=$NET.1" < "$WORK/in" > "$WORK/out" 2>&1 & SERVER=$!
for _ in $(seq 300); do grep -q '^port' "$WORK/out" && break; kill -0 "$SERVER" || { cat "$WORK/out"; exit 1; }; sleep 1; done
URL="https://$NET.1:$(awk '/^port/{print $2}' "$WORK/out")"

cat > "$WORK/client.py" <<'PY'
import json, ssl, sys, time, urllib.request, xmlrpc.client
url, session, leg = sys.argv[1:4]
ctx = ssl._create_unverified_context()
def jsonrpc(method, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    req = urllib.request.Request(url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, context=ctx))["result"]
start, cpu = time.monotonic(), time.process_time()
if leg.startswith("xmlrpc"):
    transport = xmlrpc.client.SafeTransport(context=ctx)
    transport.accept_gzip_encoding = leg == "xmlrpc-gzip"
    n = len(xmlrpc.client.ServerProxy(url, transport=transport).VM.get_all_records(session)["Value"])
else:
    n = len(jsonrpc("VM.get_all_records", session))
print("%.1f 0 %.1f" % ((time.monotonic() - start) * 1000, (time.process_time() - cpu) * 1000))
PY
cat > "$WORK/cpu.py" <<'PY'
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.1f %s %.1f" % (float(out[0]) * 1000, out[1], (r.ru_utime + r.ru_stime) * 1000))
PY
SESSION=$(curl -sk -d '{"jsonrpc":"2.0","id":1,"method":"session.login_with_password","params":["root","bench"]}' "$URL/jsonrpc" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
printf '{"jsonrpc":"2.0","id":1,"method":"VM.get_all_records","params":["%s"]}' "$SESSION" > "$WORK/json"
printf '<methodCall><methodName>VM.get_all_records</methodName><params><param><value>%s</value></param></params></methodCall>' "$SESSION" > "$WORK/xml"
server_cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; } # in clock ticks
TICK_MS=$((1000 / $(getconf CLK_TCK)))
leg() { # WHERE LEG: wall ms, bytes that came over the wire (0: not known), client CPU ms, server CPU ms
    local in=() ; [ "$1" = link ] && in=(ip netns exec "$NS")
    local before; before=$(server_cpu)
    case "$2" in
        curl-*) local proto=${2#curl-} gz= path=/
            case "$proto" in *-gzip) gz=--compressed; proto=${proto%-gzip} ;; esac
            [ "$proto" = json ] && path=/jsonrpc
            printf '%s ' "$("${in[@]}" python3 "$WORK/cpu.py" curl -sk $gz -o /dev/null -w '%{time_total} %{size_download}' \
                -d @"$WORK/$proto" "$URL$path")" ;;
        py-*) printf '%s ' "$("${in[@]}" python3 "$WORK/client.py" "$URL" "$SESSION" "${2#py-}")" ;;
    esac
    echo $(( ($(server_cpu) - before) * TICK_MS ))
}
legs="curl-json curl-xml curl-xml-gzip curl-json-gzip py-jsonrpc py-xmlrpc-plain py-xmlrpc-gzip"
for where in loopback link; do
    for l in $legs; do leg $where $l > /dev/null; done # every record encoded and deflated once
    for r in $(seq "$rounds"); do for l in $legs; do echo "$where $l $(leg $where $l)"; done; done
done > "$WORK/times"
echo "VM.get_all_records, $vms VMs, $rounds rounds; link: tc tbf $link on a veth pair; curl $(curl -V | awk 'NR==1{print $2}'), $(python3 -V)"
python3 - "$WORK/times" <<'PY'
import statistics, sys, collections
t = collections.defaultdict(list); size = {}
for line in open(sys.argv[1]):
    where, leg, ms, n, client, server = line.split()
    t[where, leg].append((float(ms), float(client), float(server))); size[leg] = int(n) or size.get(leg, 0)
print("%-9s %-16s %7s %13s %7s %9s %10s %10s" % ("where", "client", "ms", "min-max", "x JSON", "wire KiB", "client CPU", "server CPU"))
med = lambda v, i: statistics.median(x[i] for x in v)
for (where, leg), v in t.items():
    base = med(t[where, "py-jsonrpc" if leg.startswith("py") else "curl-json"], 0)
    print("%-9s %-16s %7.0f %6.0f-%-6.0f %7.2f %9s %10.0f %10.0f" % (where, leg, med(v, 0), min(x[0] for x in v), max(x[0] for x in v),
          med(v, 0) / base, format(size[leg] >> 10, ",") if size.get(leg) else "", med(v, 1), med(v, 2)))
print("medians; CPU in ms of the client process and of the daemon's process (which serves nothing else) during the call")
PY
