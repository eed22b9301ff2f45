/**
 * The Cohere API v2 wire format (https://docs.cohere.com/reference/chat,
 * https://docs.cohere.com/reference/chat-stream, https://docs.cohere.com/reference/embed):
 * {@code POST /v2/chat} (SSE stream or one JSON body), {@code POST /v2/embed}, errors
 * {@code {"id","message"}}. Built on the provider-neutral {@code core} package.
 */
package io.llmproxy.simulator.cohere;
