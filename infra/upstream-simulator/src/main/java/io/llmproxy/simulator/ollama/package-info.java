/**
 * The Ollama native wire format (https://github.com/ollama/ollama/blob/main/docs/api.md):
 * {@code POST /api/chat} (NDJSON stream or one JSON body), {@code POST /api/embed}, {@code GET /api/tags},
 * errors {@code {"error":"…"}}. Built on the provider-neutral {@code core} package.
 */
package io.llmproxy.simulator.ollama;
