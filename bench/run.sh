#!/usr/bin/env sh
# Runs the benchmark suite (items 1, 2, 3 and 5 of BENCHMARKS.md) against a real Redis, the S3 server and one
# gateway it starts on 127.0.0.1. Options are passed to dev.recingest.bench.Main, e.g. --quick.
set -eu
cd "$(dirname "$0")/.."
./mvnw -q -pl bench -am package -DskipTests
exec java ${BENCH_JVM_OPTS:--Xmx2g} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.recingest.bench.Main "$@"
