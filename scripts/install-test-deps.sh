#!/usr/bin/env bash
# Installs the system packages the test suite needs (chromium for browser tests,
# PostgreSQL server for integration tests, Node.js if absent), then a real DuckDB
# from npm (@duckdb/node-api, into scripts/duckdb/node_modules) for the tests that
# read the Parquet exports. Idempotent: when everything is present it does no apt
# or npm work at all, so it is cheap to run in CI.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: not root and sudo not available" >&2; exit 1; }
  SUDO="sudo -E"   # -E keeps DEBIAN_FRONTEND so apt never prompts
fi

missing=()
# Tests launch the browser by this exact path.
if [ -x /usr/bin/chromium ]; then echo "chromium: present"; else missing+=(chromium); fi
# Server binaries live under a versioned dir; any version will do.
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "postgresql: present ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1))"
else
  missing+=(postgresql)
fi
# Keep an existing node (e.g. from nodesource); the Debian npm package would conflict with it.
if command -v node >/dev/null; then echo "node: present ($(node --version))"; else missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: nothing to install"
else
  echo "installing: ${missing[*]}"
  start=$SECONDS
  # Fresh CI images have empty package lists, so update only now that we need them.
  $SUDO apt-get update -qq
  # No recommends: chromium's pull in a desktop stack we don't need headless.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "installed in $((SECONDS - start))s"
  [ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium missing after install" >&2; exit 1; }
fi

# DuckDB (npm, the exact version pinned in scripts/duckdb/package.json; the package ships its native binary).
# Reinstalled only when package.json changed since the last install. `npm install --no-package-lock`, not `npm ci`:
# npm 11's ci refuses a lock that omits the other platforms' optional binaries.
duckdb_dir="$(cd "$(dirname "$0")" && pwd)/duckdb"
stamp="$duckdb_dir/node_modules/.installed-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$duckdb_dir/package.json"; then
  echo "duckdb (npm): present"
else
  echo "installing duckdb (npm @duckdb/node-api)"
  (cd "$duckdb_dir" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
  cp "$duckdb_dir/package.json" "$stamp"
fi
node "$duckdb_dir/query.mjs" "SELECT 42 AS answer" >/dev/null || { echo "error: DuckDB does not run" >&2; exit 1; }
