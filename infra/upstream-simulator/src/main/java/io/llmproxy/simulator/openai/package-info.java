/**
 * The OpenAI wire format (Chat Completions, https://platform.openai.com/docs/api-reference/chat):
 * request parsing into the core's normalized request, response and stream rendering, errors, and
 * routes. Other providers get sibling packages built the same way.
 */
package io.llmproxy.simulator.openai;
