package io.llmproxy.simulator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SimTokenizerTest {

    @Test
    void wordsAndEachPunctuationMarkAreTokens() {
        assertThat(SimTokenizer.tokenize("Hello, world!")).containsExactly("Hello", ",", "world", "!");
        assertThat(SimTokenizer.count("Hello, world!")).isEqualTo(4);
    }

    @Test
    void punctuationInsideWordsSplitsThem() {
        assertThat(SimTokenizer.tokenize("don't")).containsExactly("don", "'", "t");
        assertThat(SimTokenizer.tokenize("gpt-4o")).containsExactly("gpt", "-", "4o");
        assertThat(SimTokenizer.tokenize("a_b")).containsExactly("a", "_", "b");
        assertThat(SimTokenizer.tokenize("...")).containsExactly(".", ".", ".");
    }

    @Test
    void whitespaceOnlySeparates() {
        assertThat(SimTokenizer.count(null)).isZero();
        assertThat(SimTokenizer.count("")).isZero();
        assertThat(SimTokenizer.count(" \t\n\u00A0")).isZero();
        assertThat(SimTokenizer.tokenize("  one\ttwo\nthree\u00A0four  "))
                .containsExactly("one", "two", "three", "four");
    }

    @Test
    void unicodeLettersAreWordCharactersAndSymbolsAreSingleTokens() {
        assertThat(SimTokenizer.tokenize("naïve café 42")).containsExactly("naïve", "café", "42");
        assertThat(SimTokenizer.tokenize("hi 👋!")).containsExactly("hi", "👋", "!");
    }

    @Test
    void countAgreesWithTokenize() {
        for (String text : List.of("You are a helpful assistant.", "Hello, world! How are you?",
                "x=1; y = (x + 2) * 3 // ok", "日本語 テキスト、です。")) {
            assertThat(SimTokenizer.count(text)).as(text).isEqualTo(SimTokenizer.tokenize(text).size());
        }
    }
}
