#!/usr/bin/env bash
# Sets up and starts a single-host Flotilla pool on this machine: installs what is missing, builds,
# makes the test guest, and starts the daemon serving the XenAPI over HTTPS (port 443 by default).
#   FLOTILLA_STATE        state directory (default /var/lib/flotilla)
#   FLOTILLA_PORT         HTTPS port (default 443)
#   FLOTILLA_ROOT_PASSWORD  root's password; if unset, one is made and kept in $FLOTILLA_STATE/root-password
source "$(dirname "$0")/lib.sh"
STATE="${FLOTILLA_STATE:-/var/lib/flotilla}"
PORT="${FLOTILLA_PORT:-443}"

install_packages
find_jdk
build
[ -x "$ROOT/scripts/build-guest.sh" ] && "$ROOT/scripts/build-guest.sh" >/dev/null

mkdir -p "$STATE"; chmod 700 "$STATE"
if [ -f "$STATE/flotilla.pid" ] && kill -0 "$(cat "$STATE/flotilla.pid")" 2>/dev/null; then
  echo "flotilla: already running (pid $(cat "$STATE/flotilla.pid")) on port $PORT"
  exit 0
fi
if [ -z "${FLOTILLA_ROOT_PASSWORD:-}" ] && [ ! -f "$STATE/passwd" ]; then
  umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/root-password"
fi
pwfile="$STATE/root-password"
if [ -n "${FLOTILLA_ROOT_PASSWORD:-}" ]; then
  umask 077; printf '%s' "$FLOTILLA_ROOT_PASSWORD" > "$STATE/.root-password.new"; pwfile="$STATE/.root-password.new"
fi
nohup "$ROOT/bin/flotilla" serve --state-dir "$STATE" --port "$PORT" --root-password-file "$pwfile" \
  >> "$STATE/flotilla.log" 2>&1 &
echo $! > "$STATE/flotilla.pid"
for _ in $(seq 1 100); do
  if grep -q "serving the XenAPI" "$STATE/flotilla.log" 2>/dev/null; then break; fi
  kill -0 "$(cat "$STATE/flotilla.pid")" 2>/dev/null || { tail -20 "$STATE/flotilla.log"; exit 1; }
  sleep 0.2
done
rm -f "$STATE/.root-password.new"
echo "flotilla: serving the XenAPI at https://$(hostname):$PORT/ (pid $(cat "$STATE/flotilla.pid"), log $STATE/flotilla.log)"
[ -f "$STATE/root-password" ] && echo "flotilla: root's password is in $STATE/root-password"
echo "flotilla: try  bin/xe -s localhost -p $PORT -u root -pw \"\$(cat $STATE/root-password)\" vm-list"
