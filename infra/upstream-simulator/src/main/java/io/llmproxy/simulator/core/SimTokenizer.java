package io.llmproxy.simulator.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The "sim tokenizer": a simple, documented stand-in for a provider's real tokenizer, so that every
 * token count the simulator reports can be recomputed by hand.
 *
 * <p><b>Rule.</b> The text is read code point by code point:
 * <ul>
 *   <li>a <em>word</em> &mdash; a maximal run of letters and digits
 *       ({@link Character#isLetterOrDigit(int)}) &mdash; is one token;</li>
 *   <li>every other non-whitespace code point (punctuation, symbols, emoji, {@code _}, ...) is one
 *       token on its own;</li>
 *   <li>whitespace ({@link Character#isWhitespace(int)} or {@link Character#isSpaceChar(int)}) only
 *       separates tokens and is never counted.</li>
 * </ul>
 * Examples: {@code "Hello, world!"} &rarr; {@code [Hello] [,] [world] [!]} = 4 tokens;
 * {@code "don't"} &rarr; {@code [don] ['] [t]} = 3; {@code "gpt-4o"} &rarr; {@code [gpt] [-] [4o]} = 3;
 * {@code ""} and {@code "  "} &rarr; 0.
 *
 * <p>Counts are in tokens; the class is stateless and thread-safe.
 */
public final class SimTokenizer {

    private SimTokenizer() {
    }

    /** Number of tokens in {@code text} under the rule above; {@code null} counts as 0. */
    public static int count(String text) {
        if (text == null) {
            return 0;
        }
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isSeparator(cp)) {
                inWord = false;
            } else if (Character.isLetterOrDigit(cp)) {
                if (!inWord) {
                    count++;
                    inWord = true;
                }
            } else {
                count++;
                inWord = false;
            }
        }
        return count;
    }

    /** The tokens of {@code text} under the rule above, in order; {@code null} gives an empty list. */
    public static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        if (text == null) {
            return tokens;
        }
        int wordStart = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (Character.isLetterOrDigit(cp) && !isSeparator(cp)) {
                if (wordStart < 0) {
                    wordStart = i;
                }
            } else {
                if (wordStart >= 0) {
                    tokens.add(text.substring(wordStart, i));
                    wordStart = -1;
                }
                if (!isSeparator(cp)) {
                    tokens.add(text.substring(i, next));
                }
            }
            i = next;
        }
        if (wordStart >= 0) {
            tokens.add(text.substring(wordStart));
        }
        return tokens;
    }

    private static boolean isSeparator(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }
}
