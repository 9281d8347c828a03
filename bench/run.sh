#!/usr/bin/env bash
# Runs the benchmark: baseline and socket-push side by side, each pinned to core 0, the load generator on
# core 1. Extra arguments go to io.socketpush.bench.Bench (--help lists them). Results: a JSON line on
# stdout, a Markdown table appended to bench/results.md, server logs in bench/logs/.
#
# `bench/run.sh hardstate [options]` runs the hard-state benchmark instead (io.socketpush.bench.HardStateBench:
# subscribe rate, p99 and cost per 1,000 at 1k / 10k / 100k subscribers on one channel, on a 3-node cluster).
#
# The bench is its own Maven project (bench/pom.xml -> bench/target/socket-push-bench.jar); it runs with the
# server's target/socket-push.jar on its class path. Both are built (by ../reactor.xml) when either is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/socket-push.jar ] || [ ! -f bench/target/socket-push-bench.jar ]; then
  mvn -B -q -f reactor.xml package -DskipTests
fi
cp=bench/target/socket-push-bench.jar:target/socket-push.jar
if [ "${1:-}" = "hardstate" ]; then
  shift
  exec java -cp "$cp" io.socketpush.bench.HardStateBench "$@"
fi
exec java -cp "$cp" io.socketpush.bench.Bench "$@"
