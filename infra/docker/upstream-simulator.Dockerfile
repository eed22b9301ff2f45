# syntax=docker/dockerfile:1
# upstream-simulator: the fake LLM provider of the tests and benchmarks (OpenAI, Anthropic, Azure,
# Mistral, Cohere and Ollama formats on 5100), for trying a deployment without a real provider.
# Never in production. Build from the repository root:
#   docker build -f infra/docker/upstream-simulator.Dockerfile -t llmproxy/upstream-simulator:0.1.0 .

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -Dmaven.test.skip=true -pl infra/upstream-simulator -am package \
 && cp infra/upstream-simulator/target/upstream-simulator-*-exec.jar /app.jar

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
ENV SIMULATOR_PORT=5100 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 5100
# the simulator exposes /actuator/health only (no probe groups)
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SIMULATOR_PORT}/actuator/health" || exit 1
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
