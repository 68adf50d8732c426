#!/usr/bin/env sh
# Runs the benchmark suite (items 1-5 of BENCHMARKS.md) against a real Redis, the S3 server and a gateway it
# starts on 127.0.0.1 (for the connections section a gateway in a JVM of its own, for the merge section a
# merger in a JVM of its own). Options are passed to dev.recingest.bench.Main, e.g. --quick or --only=merge.
set -eu
cd "$(dirname "$0")/.."
./mvnw -q -pl bench -am package -DskipTests
exec java ${BENCH_JVM_OPTS:--Xmx2g} -Dlogback.configurationFile=logback.xml -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.recingest.bench.Main "$@"
