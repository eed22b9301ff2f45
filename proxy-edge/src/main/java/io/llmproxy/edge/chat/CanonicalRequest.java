package io.llmproxy.edge.chat;

import tools.jackson.databind.node.ObjectNode;

/**
 * A client's chat request in the canonical model.
 *
 * @param body             OpenAI chat completions body (https://platform.openai.com/docs/api-reference/chat/create),
 *                         {@code model} = the public model name the client asked for
 * @param model            that public model name
 * @param stream           whether the client wants a stream
 * @param clientWantsUsage whether the provider's usage chunk ({@code "choices":[]}) must reach the codec
 */
public record CanonicalRequest(ObjectNode body, String model, boolean stream, boolean clientWantsUsage) {
}
