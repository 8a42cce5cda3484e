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
run_bench() {
    "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.RecordsBench "vms=$vms" "$@"
}
if [ -z "$link" ]; then run_bench "rounds=${rounds:-11}"; exit; fi
rounds=${rounds:-7}
[ "$(id -u)" = 0 ] || { echo "records.sh: link= needs root (network namespace, tc)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/flotilla-records.XXXXXX)
NS=flrec$$ HOSTIF=flrec$$a PEERIF=flrec$$b NET=10.213.$(( $$ % 250 ))
SERVER= HOLDER=
cleanup() {
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null || true
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
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
run_bench "serve=$NET.1" < "$WORK/in" > "$WORK/out" 2>&1 & SERVER=$!
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
start = time.monotonic()
if leg.startswith("xmlrpc"):
    transport = xmlrpc.client.SafeTransport(context=ctx)
    transport.accept_gzip_encoding = leg == "xmlrpc-gzip"
    n = len(xmlrpc.client.ServerProxy(url, transport=transport).VM.get_all_records(session)["Value"])
else:
    n = len(jsonrpc("VM.get_all_records", session))
print("%.1f" % ((time.monotonic() - start) * 1000))
PY
SESSION=$(curl -sk -d '{"jsonrpc":"2.0","id":1,"method":"session.login_with_password","params":["root","bench"]}' "$URL/jsonrpc" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
printf '{"jsonrpc":"2.0","id":1,"method":"VM.get_all_records","params":["%s"]}' "$SESSION" > "$WORK/json"
printf '<methodCall><methodName>VM.get_all_records</methodName><params><param><value>%s</value></param></params></methodCall>' "$SESSION" > "$WORK/xml"
leg() { # WHERE LEG: one timing in ms, and the bytes that came over the wire
    local in=() ; [ "$1" = link ] && in=(ip netns exec "$NS")
    case "$2" in
        curl-*) local proto=${2#curl-} gz= path=/
            case "$proto" in *-gzip) gz=--compressed; proto=${proto%-gzip} ;; esac
            [ "$proto" = json ] && path=/jsonrpc
            "${in[@]}" curl -sk $gz -o /dev/null -w '%{time_total} %{size_download}\n' -d @"$WORK/$proto" "$URL$path" \
                | awk '{printf "%.1f %d\n", $1 * 1000, $2}' ;;
        py-*) echo "$("${in[@]}" python3 "$WORK/client.py" "$URL" "$SESSION" "${2#py-}") 0" ;;
    esac
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
    where, leg, ms, n = line.split()
    t[where, leg].append(float(ms)); size[leg] = int(n) or size.get(leg, 0)
print("%-9s %-20s %8s %15s %9s %9s" % ("where", "client", "median", "min-max ms", "x JSON", "wire KiB"))
for (where, leg), v in t.items():
    base = statistics.median(t[where, "py-jsonrpc" if leg.startswith("py") else "curl-json"])
    print("%-9s %-20s %8.0f %7.0f-%-7.0f %9.2f %9s" % (where, leg, statistics.median(v), min(v), max(v),
          statistics.median(v) / base, format(size[leg] >> 10, ",") if size.get(leg) else ""))
PY
