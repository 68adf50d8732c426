# syntax=docker/dockerfile:1
# Needs BuildKit (the default builder since Docker 23) for the cache mount and COPY --chmod.
#
# One image for every role: `gateway` (default), `merger`, `all`, `demo`, `push`, `token`.
#   docker build -t recingest .
#   docker run --rm recingest help
# Configuration is environment variables (RECINGEST_*, AWS_*); see deploy/README.md and docker-compose.yml.

############################ build ############################
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The image's Maven (3.9) rather than ./mvnw, which would download a second Maven of the same line.
# The cache mount keeps ~/.m2 between builds so a code change does not download the dependencies again.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package \
 && test -f app/target/recingest.jar && test -d app/target/lib

############################ runtime ############################
FROM eclipse-temurin:17-jre

# ffmpeg/ffprobe for the merger (the jar's bundled FFmpeg is x86-64 only; the system one is found first
# on PATH). curl for the healthcheck.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg curl \
 && rm -rf /var/lib/apt/lists/* \
 && ffmpeg -hide_banner -version | head -n 1

# A fixed non-root uid/gid so volumes can be prepared for it. /var/lib/recingest is the working directory
# (`all` keeps its ./data there) and holds the merger's scratch space.
RUN groupadd --gid 10001 recingest \
 && useradd --uid 10001 --gid recingest --home-dir /var/lib/recingest --shell /usr/sbin/nologin recingest \
 && mkdir -p /var/lib/recingest/merge \
 && chown -R recingest:recingest /var/lib/recingest

COPY --from=build /src/app/target/lib/ /app/lib/
COPY --from=build /src/app/target/recingest.jar /app/recingest.jar
COPY --chmod=0755 deploy/healthcheck.sh /usr/local/bin/recingest-healthcheck

# Class-data sharing (AppCDS): a training run starts every role once (`all`: embedded Redis and S3, a gateway, a
# merger) and exits by itself once ready (RECINGEST_EXIT_WHEN_READY); the JVM then writes the ~9,000 classes it
# loaded, parsed and verified, to /app/recingest.jsa, which the ENTRYPOINT maps instead of loading them again. A
# gateway then starts with ~0.57x the CPU seconds (BENCHMARKS.md section 8, "Gateway start-up"): it matters where a
# restarted gateway receives every resuming client at once. Same JVM, same jar path and same flags as the ENTRYPOINT
# (an archive only maps for the class path it was made with); where it cannot map (another JDK, a heap over 32 GB)
# the JVM starts without it. Run as root before USER so the archive is read-only for the runtime user. A training
# run that fails (say, the embedded Redis has no binary for the build's architecture) leaves no archive and the
# image builds all the same: it only starts slower.
RUN mkdir /tmp/cds-training && cd /tmp/cds-training \
 && { RECINGEST_EXIT_WHEN_READY=true RECINGEST_PORT=0 RECINGEST_DATA_DIR=/tmp/cds-training/data \
      RECINGEST_MERGE_WORK_DIR=/tmp/cds-training/merge \
      java -XX:ArchiveClassesAtExit=/app/recingest.jsa -Xlog:cds=off,cds+dynamic=off \
           -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -jar /app/recingest.jar all \
    || { rm -f /app/recingest.jsa; echo "no class-data archive: the image starts without it" >&2; }; } \
 && cd / && rm -rf /tmp/cds-training

ENV RECINGEST_HOST=0.0.0.0 \
    RECINGEST_PORT=8080 \
    RECINGEST_METRICS_PORT=9091 \
    RECINGEST_MERGE_WORK_DIR=/var/lib/recingest/merge

WORKDIR /var/lib/recingest
USER recingest:recingest
EXPOSE 8080 9091

# Liveness of whatever role runs (gateway: /healthz on 8080; merger: /healthz on 9091).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["recingest-healthcheck"]

# Java is PID 1 and gets SIGTERM itself, so the gateway's drain runs on `docker stop`.
# The heap takes half of the container's memory: Netty's direct buffers (chunks in flight, bounded by
# RECINGEST_GLOBAL_INFLIGHT_BYTES) live outside it. Add JVM options with JAVA_TOOL_OPTIONS.
# -XX:SharedArchiveFile: the class-data archive made above (-Xlog:cds=off: no warning where it cannot map).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/recingest.jsa", "-Xlog:cds=off,cds+dynamic=off", \
            "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/recingest.jar"]
CMD ["gateway"]
