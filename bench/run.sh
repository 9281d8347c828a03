#!/usr/bin/env bash
# Runs the benchmark: baseline and socket-push side by side, each pinned to core 0, the load generator on
# core 1. Extra arguments go to io.socketpush.bench.Bench (--help lists them). Results: a JSON line on
# stdout, a Markdown table appended to bench/results.md, server logs in bench/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/socket-push.jar ] || mvn -B -q package -DskipTests
exec java -cp target/socket-push.jar io.socketpush.bench.Bench "$@"
