package io.llmproxy.simulator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionPlannerTest {

    private static final List<NormalizedMessage> CONVERSATION = List.of(
            NormalizedMessage.text("system", "You are a helpful assistant."),
            NormalizedMessage.text("user", "Hello, world! How are you?"));

    private static NormalizedChatRequest request(String model, Integer limit, List<NormalizedMessage> messages) {
        return new NormalizedChatRequest(model, messages, limit);
    }

    @Test
    void promptTokensFollowTheDocumentedRule() {
        // "You are a helpful assistant." = You|are|a|helpful|assistant|.          = 6 tokens, +4 = 10
        // "Hello, world! How are you?"   = Hello|,|world|!|How|are|you|?          = 8 tokens, +4 = 12
        // + 3 per request                                                          = 25
        assertThat(CompletionPlanner.plan(request("sim-gpt-4o-mini", null, CONVERSATION)).promptTokens())
                .isEqualTo(25);
    }

    @Test
    void imagePartsCountEightyFiveAndTextPartsAreSummed() {
        var message = new NormalizedMessage("user", List.of("Describe this image.", "Be brief"), 1);
        // Describe|this|image|. = 4, Be|brief = 2, image = 85, message +4, request +3 = 98
        assertThat(CompletionPlanner.promptTokens(List.of(message))).isEqualTo(98);
        // null content (e.g. an assistant tool call) still costs the per-message overhead: 3 + 4
        assertThat(CompletionPlanner.promptTokens(List.of(new NormalizedMessage("assistant", List.of(), 0))))
                .isEqualTo(7);
    }

    @Test
    void sameRequestGivesEqualPlans() {
        CompletionPlan first = CompletionPlanner.plan(request("m", null, CONVERSATION));
        CompletionPlan second = CompletionPlanner.plan(request("m", null, List.copyOf(CONVERSATION)));
        assertThat(second).isEqualTo(first);
        assertThat(second.content()).isEqualTo(first.content());
        assertThat(second.idSuffix(29)).isEqualTo(first.idSuffix(29));
    }

    @Test
    void differentModelOrMessagesGiveDifferentCompletions() {
        String base = CompletionPlanner.plan(request("m", null, CONVERSATION)).content();
        assertThat(CompletionPlanner.plan(request("other-model", null, CONVERSATION)).content()).isNotEqualTo(base);
        assertThat(CompletionPlanner.plan(request("m", null,
                List.of(NormalizedMessage.text("user", "Hello, world! How are you?")))).content()).isNotEqualTo(base);
        assertThat(CompletionPlanner.plan(request("m", null,
                List.of(NormalizedMessage.text("system", "You are a helpful assistant."),
                        NormalizedMessage.text("assistant", "Hello, world! How are you?")))).content())
                .as("the role is part of the hash").isNotEqualTo(base);
    }

    @Test
    void completionIsVocabularyWordsWithLeadingSpacesExceptTheFirst() {
        for (int i = 0; i < 200; i++) {
            CompletionPlan plan = CompletionPlanner.plan(request("m", null,
                    List.of(NormalizedMessage.text("user", "prompt number " + i))));
            assertThat(plan.completionTokens()).isBetween(8, 47);
            assertThat(plan.finishReason()).isEqualTo(FinishReason.STOP);
            List<String> tokens = plan.tokens();
            assertThat(CompletionPlanner.VOCABULARY).contains(tokens.get(0));
            for (String token : tokens.subList(1, tokens.size())) {
                assertThat(token).startsWith(" ");
                assertThat(CompletionPlanner.VOCABULARY).contains(token.substring(1));
            }
            assertThat(SimTokenizer.count(plan.content())).isEqualTo(plan.completionTokens());
            assertThat(plan.totalTokens()).isEqualTo(plan.promptTokens() + plan.completionTokens());
        }
    }

    @Test
    void outputLimitCutsToAPrefixWithFinishReasonLength() {
        CompletionPlan uncut = CompletionPlanner.plan(request("m", null, CONVERSATION));
        CompletionPlan cut = CompletionPlanner.plan(request("m", 3, CONVERSATION));
        assertThat(cut.completionTokens()).isEqualTo(3);
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(cut.tokens()).isEqualTo(uncut.tokens().subList(0, 3));
        assertThat(cut.promptTokens()).isEqualTo(uncut.promptTokens());
        assertThat(cut.idSuffix(29)).as("the limit is part of the request hash").isNotEqualTo(uncut.idSuffix(29));

        CompletionPlan exact = CompletionPlanner.plan(request("m", uncut.completionTokens(), CONVERSATION));
        assertThat(exact.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(exact.tokens()).isEqualTo(uncut.tokens());
        CompletionPlan generous = CompletionPlanner.plan(request("m", 1000, CONVERSATION));
        assertThat(generous.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(generous.tokens()).isEqualTo(uncut.tokens());
    }

    @Test
    void outputIsPinned() {
        // Regression pin: the algorithm is a contract (benchmarks and recorded fixtures rely on it).
        // Changing the hash input, the vocabulary or the mixing changes these values on purpose only.
        CompletionPlan plan = CompletionPlanner.plan(request("sim-gpt-4o-mini", null, CONVERSATION));
        assertThat(plan.requestHashHex())
                .isEqualTo("df9129563690a1d7dcccf3c013a835c0980e3f9eb1bb159762c75fb97078a9f1");
        assertThat(plan.completionTokens()).isEqualTo(30);
        assertThat(plan.content()).isEqualTo("a whiskey yankee zephyr valley romeo model november fjord of quebec "
                + "delta of mike tango delta papa sierra harbor valley golf uniform dune whiskey oscar india "
                + "prairie quebec valley echo");
        assertThat(plan.idSuffix(29)).isEqualTo("HkD5xaqnBjsV6jgJsixhvoMaACU6x");
    }

    @Test
    void idSuffixIsBase62() {
        CompletionPlan plan = CompletionPlanner.plan(request("m", null, CONVERSATION));
        assertThat(plan.idSuffix(29)).matches("[0-9A-Za-z]{29}");
        assertThat(plan.idSuffix(42)).startsWith(plan.idSuffix(29));
    }
}
