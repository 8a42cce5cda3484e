#!/usr/bin/env bash
# Sets up and starts a single-host Flotilla pool on this machine: installs what is missing, builds,
# makes the test guest, and starts the daemon serving the XenAPI over HTTPS (port 443 by default).
#   FLOTILLA_STATE        state directory (default /var/lib/flotilla)
#   FLOTILLA_PORT         HTTPS port (default 443)
#   FLOTILLA_ROOT_PASSWORD  root's password; if unset, one is made and kept in $FLOTILLA_STATE/root-password
#   FLOTILLA_ALLOWED_ORIGINS  web origins (https://host[:port]) whose pages may use the API, space-separated
# Whatever stops it is said in one line starting with "flotilla:", with what to do about it.
source "$(dirname "$0")/lib.sh"
need_root "$@"
STATE="${FLOTILLA_STATE:-/var/lib/flotilla}"
PORT="${FLOTILLA_PORT:-443}"
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "FLOTILLA_PORT=$PORT is not a port number (1-65535)"

# a port another program holds: said at once, rather than after the build by a daemon that could only fail on it
port_free_or_die() {
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "( sport = :$PORT )" 2>/dev/null)" ]; then
    local holder
    holder=$(ss -Hltnp "( sport = :$PORT )" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -1 | sed 's/users:(("\([^"]*\)",pid=/\1, pid /')
    die "port $PORT is already in use${holder:+ (by $holder)}: stop that program, or choose a free port, e.g. FLOTILLA_PORT=8443 $0"
  fi
}
daemon_running() { [ -f "$STATE/flotilla.pid" ] && kill -0 "$(cat "$STATE/flotilla.pid")" 2>/dev/null; }
daemon_running || port_free_or_die

install_packages
find_jdk
build
[ -x "$ROOT/scripts/build-guest.sh" ] && "$ROOT/scripts/build-guest.sh" >/dev/null

mkdir -p "$STATE"; chmod 700 "$STATE"
# The daemon runs from its own copy of the build ($STATE/app): a running one keeps its classes while the
# checkout is rebuilt, and is then restarted on the new copy (a toolstack restart leaves the VMs running).
rm -rf "$STATE/app.new"; mkdir -p "$STATE/app.new"
cp -r "$ROOT/target/flotilla.jar" "$ROOT/target/lib" "$STATE/app.new/"
if daemon_running; then
  old=$(cat "$STATE/flotilla.pid")
  echo "flotilla: restarting the running daemon (pid $old) on this build; its VMs keep running"
  kill -TERM "$old"
  for _ in $(seq 1 150); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$old" 2>/dev/null && die "pid $old did not stop within 30 s; stop it and run this again"
fi
rm -rf "$STATE/app"; mv "$STATE/app.new" "$STATE/app"
port_free_or_die
if [ -z "${FLOTILLA_ROOT_PASSWORD:-}" ] && [ ! -f "$STATE/passwd" ]; then
  umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/root-password"
fi
pwfile="$STATE/root-password"
if [ -n "${FLOTILLA_ROOT_PASSWORD:-}" ]; then
  umask 077; printf '%s' "$FLOTILLA_ROOT_PASSWORD" > "$STATE/.root-password.new"; pwfile="$STATE/.root-password.new"
fi
origins=()
for o in ${FLOTILLA_ALLOWED_ORIGINS:-}; do origins+=(--allow-origin "$o"); done
log_start=$(( $(stat -c %s "$STATE/flotilla.log" 2>/dev/null || echo 0) + 1 ))
# the password reaches the daemon in a file, never in its environment (which every child would inherit)
FLOTILLA_APP="$STATE/app" nohup env -u FLOTILLA_ROOT_PASSWORD "$ROOT/bin/flotilla" serve --state-dir "$STATE" --port "$PORT" \
  --root-password-file "$pwfile" "${origins[@]}" >> "$STATE/flotilla.log" 2>&1 &
echo $! > "$STATE/flotilla.pid"
serving() { tail -c +"$log_start" "$STATE/flotilla.log" 2>/dev/null | grep -q "serving the XenAPI"; }
for _ in $(seq 1 300); do
  serving && break
  if ! kill -0 "$(cat "$STATE/flotilla.pid")" 2>/dev/null; then
    rm -f "$STATE/.root-password.new"
    why=$(tail -c +"$log_start" "$STATE/flotilla.log" | grep -m1 '^flotilla: ' || true)
    [ -n "$why" ] && { echo "$why" >&2; exit 1; }
    die "the daemon stopped at start; see $STATE/flotilla.log"
  fi
  sleep 0.2
done
serving || die "the daemon did not start serving within 60 s; see $STATE/flotilla.log"
rm -f "$STATE/.root-password.new"
echo "flotilla: serving the XenAPI at https://$(hostname):$PORT/ (pid $(cat "$STATE/flotilla.pid"), log $STATE/flotilla.log)"
[ -f "$STATE/root-password" ] && echo "flotilla: root's password is in $STATE/root-password"
if [ "$STATE" = /var/lib/flotilla ]; then
  echo "flotilla: try  bin/xe vm-list   (as root on this host; from elsewhere: bin/xe -s $(hostname) -p $PORT -u root -pw ... vm-list)"
else
  echo "flotilla: try  FLOTILLA_STATE=$STATE bin/xe vm-list   (as root on this host)"
fi
