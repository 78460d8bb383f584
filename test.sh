#!/usr/bin/env bash
# Installs what the tests need (Chromium, PostgreSQL, Node for DuckDB checks), starts a private PostgreSQL on
# 127.0.0.1, runs every test, and stops the server again. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-test-deps.sh
DEVINSIGHTS_TEST_POSTGRES=$(bash scripts/pg-test-server.sh start | tail -n 1)
export DEVINSIGHTS_TEST_POSTGRES
trap 'bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT

rm -rf TestResults
dotnet test DevInsights.sln --logger "trx;LogFileName=results.trx" --results-directory TestResults "$@"
