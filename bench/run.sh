#!/usr/bin/env bash
# Runs the benchmark: baseline and socket-push side by side, each pinned to core 0, the load generator on
# core 1. Extra arguments go to io.socketpush.bench.Bench (--help lists them). Results: a JSON line on
# stdout, a Markdown table appended to bench/results.md, server logs in bench/logs/.
#
# `bench/run.sh hardstate [options]` runs the hard-state benchmark instead (io.socketpush.bench.HardStateBench:
# subscribe rate, p99 and cost per 1,000 at 1k / 10k / 100k subscribers on one channel, on a 3-node cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/socket-push.jar ] || mvn -B -q package -DskipTests
if [ "${1:-}" = "hardstate" ]; then
  shift
  exec java -cp target/socket-push.jar io.socketpush.bench.HardStateBench "$@"
fi
exec java -cp target/socket-push.jar io.socketpush.bench.Bench "$@"
