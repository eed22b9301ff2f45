# syntax=docker/dockerfile:1
# proxy-edge: the gateway (client API on 5000; actuator on the management port 5090 when
# MANAGEMENT_SERVER_PORT is set, as in infra/k8s). Build from the repository root:
#   docker build -f infra/docker/proxy-edge.Dockerfile -t llmproxy/proxy-edge:0.1.0 .
# No secret is baked in: LLMPROXY_SECRET_KEY, LLMPROXY_DB_PASSWORD… come from the environment
# (Kubernetes Secrets in infra/k8s). Each replica needs its own usage journal directory
# (LLMPROXY_USAGE_BUFFER_DIR, a volume): see infra/k8s/README.md.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
# tests run in CI, not in the image build; the Maven repository is a BuildKit cache between builds
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -Dmaven.test.skip=true -pl proxy-edge -am package \
 && cp proxy-edge/target/proxy-edge-*-exec.jar /app.jar

FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 llmproxy \
 && useradd --system --uid 10001 --gid llmproxy --home-dir /app --shell /usr/sbin/nologin llmproxy \
 && mkdir -p /app /var/lib/llmproxy/usage-buffer \
 && chown -R llmproxy:llmproxy /var/lib/llmproxy
COPY --from=build --chown=root:root --chmod=0444 /app.jar /app/app.jar
WORKDIR /app
USER 10001:10001
ENV LLMPROXY_EDGE_PORT=5000 \
    LLMPROXY_USAGE_BUFFER_DIR=/var/lib/llmproxy/usage-buffer \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/var/lib/llmproxy/usage-buffer"]
EXPOSE 5000 5090
# liveness only: readiness (snapshot loaded) is for the load balancer, not for restarting the container
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-$LLMPROXY_EDGE_PORT}/actuator/health/liveness" || exit 1
# exec form: java is PID 1 and receives SIGTERM itself (graceful shutdown, LLMPROXY_SHUTDOWN_TIMEOUT)
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
