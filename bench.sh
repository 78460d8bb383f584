#!/usr/bin/env bash
# Builds the server and the benchmark in Release, then runs the benchmark: one name=value line per figure on
# stdout, progress on stderr. Arguments go to the benchmark (e.g. --parts raw-sqlite --runs 3 --rows 100000).
set -euo pipefail
cd "$(dirname "$0")"

dotnet build bench/DevInsights.Bench/DevInsights.Bench.csproj -c Release -nologo -v quiet >&2
exec dotnet bench/DevInsights.Bench/bin/Release/net10.0/DevInsights.Bench.dll "$@"
