#!/usr/bin/env bash
# Throwaway PostgreSQL server for integration tests.
#   pg-test-server.sh start  -> prints the Npgsql connection string as the last stdout line
#   pg-test-server.sh stop   -> stops the server and deletes its directory
# Env: PG_TEST_PORT (default 55432), PG_TEST_DIR (default /tmp/devinsights-pg-$PORT).
# All diagnostics go to stderr so `CONN=$(pg-test-server.sh start)` captures only the string.
set -euo pipefail

PORT="${PG_TEST_PORT:-55432}"
DIR="${PG_TEST_DIR:-/tmp/devinsights-pg-$PORT}"
ROLE=devinsights DB=devinsights_test

log() { echo "pg-test-server: $*" >&2; }

# Use the server binaries directly (newest installed version); /usr/bin only has client wrappers.
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$BIN" ] || { log "no PostgreSQL server found; run scripts/install-test-deps.sh"; exit 1; }

# postgres refuses to run as root, so as root run server commands as the Debian 'postgres' user.
AS_PG=()
[ "$(id -u)" -eq 0 ] && AS_PG=(runuser -u postgres --)
# The caller's cwd (e.g. /root) may be unreadable for 'postgres'; initdb/pg_ctl complain about that.
cd /

is_ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; }  # -U: avoid "role root" log noise
psql_su() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }

start() {
  if is_ready; then
    log "server already running on 127.0.0.1:$PORT, reusing it"
  else
    if [ ! -f "$DIR/PG_VERSION" ]; then
      log "initdb in $DIR"
      mkdir -p "$DIR"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
      chmod 700 "$DIR"
      # -U postgres: same superuser name whether or not we run as root. -N: skip fsync.
      "${AS_PG[@]}" "$BIN/initdb" -D "$DIR" -U postgres -E UTF8 --locale=C.UTF-8 -N \
        --auth-local=trust --auth-host=trust >/dev/null
      # Test-only server: trust, but only on the unix socket and loopback.
      printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' > "$DIR/pg_hba.conf"
      # Durability off for speed; data is thrown away anyway.
      cat >> "$DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    log "starting on 127.0.0.1:$PORT"
    # -l sends server output to a file, so no process keeps the caller's stdout pipe open.
    # -w fails fast if the postmaster dies (bad config, port taken, stale lock).
    # Then poll pg_isready on TCP (up to 30s), which is what the tests will use.
    "${AS_PG[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 30 start >&2 &&
      for _ in $(seq 60); do is_ready && break; sleep 0.5; done
    is_ready || { log "server not ready; log:"; tail -n 20 "$DIR/server.log" >&2 || true; exit 1; }
  fi

  # Superuser so tests can create/drop their own databases.
  psql_su -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$ROLE';
      END IF; END \$\$;"
  # CREATE DATABASE can't run inside DO, hence \gexec.
  echo "SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec" | psql_su

  echo "Host=127.0.0.1;Port=$PORT;Username=$ROLE;Password=$ROLE;Database=$DB"
}

stop() {
  if [ -f "$DIR/PG_VERSION" ]; then
    if "${AS_PG[@]}" "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      log "stopping server in $DIR"
      "${AS_PG[@]}" "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >&2
    fi
  elif [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
    # Guard against a mistyped PG_TEST_DIR: only ever delete a cluster dir.
    log "$DIR is not a PostgreSQL data dir; not removing it"; exit 1
  fi
  rm -rf "$DIR"
  log "removed $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
