# syntax=docker/dockerfile:1
# command-side: the admin write API (5001; actuator on the same port, /actuator/health/** open,
# everything else needs a PlatformAdmin token). Build from the repository root:
#   docker build -f infra/docker/command-side.Dockerfile -t llmproxy/command-side:0.1.0 .
# No secret is baked in: LLMPROXY_ADMIN_TOKEN, LLMPROXY_SECRET_KEY, LLMPROXY_DB_PASSWORD come
# from the environment (Kubernetes Secrets in infra/k8s).

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -Dmaven.test.skip=true -pl command-side -am package \
 && cp command-side/target/command-side-*-exec.jar /app.jar

FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 llmproxy \
 && useradd --system --uid 10001 --gid llmproxy --home-dir /app --shell /usr/sbin/nologin llmproxy \
 && mkdir -p /app
COPY --from=build --chown=root:root --chmod=0444 /app.jar /app/app.jar
WORKDIR /app
USER 10001:10001
ENV LLMPROXY_COMMAND_PORT=5001 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 5001
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${LLMPROXY_COMMAND_PORT}/actuator/health/liveness" || exit 1
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
