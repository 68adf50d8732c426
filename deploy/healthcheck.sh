#!/bin/sh
# Container healthcheck of the recingest image (the Dockerfile's HEALTHCHECK; the compose file passes "ready").
#
# One image runs several commands, so this looks at what the container runs: the argument that follows
# recingest.jar on the command line of PID 1 (java itself, or docker-init when the container runs with init).
#   gateway, all   GET /healthz on RECINGEST_PORT (8080); with "ready": GET /readyz, which also needs Redis
#                  and object storage to answer and the gateway not to be draining
#   merger         GET /healthz on RECINGEST_METRICS_PORT (9091), the merger's metrics server
# Exit 0 healthy, 1 not.
set -eu

mode=${1:-live}
pid=${RECINGEST_HEALTHCHECK_PID:-1}
role=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n '/recingest\.jar$/{n;p;q;}')

case "$role" in
  merger) url="http://127.0.0.1:${RECINGEST_METRICS_PORT:-9091}/healthz" ;;
  *)
    path=/healthz
    if [ "$mode" = ready ]; then path=/readyz; fi
    url="http://127.0.0.1:${RECINGEST_PORT:-8080}$path"
    ;;
esac

# Docker reads 1 as unhealthy and reserves 2; curl has many exit codes.
curl --fail --silent --show-error --max-time 4 --output /dev/null "$url" || exit 1
