package io.llmproxy.kernel.audit;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secret-looking strings in prompt or completion text before a tenant that opted in has it
 * stored in the audit log. Pure. Each match is replaced by {@code [MASKED:<kind>]}; what precedes
 * a credential in an assignment or header (e.g. {@code password=}, {@code Bearer }) is kept.
 *
 * <p>Kinds: {@code private-key} (PEM blocks), {@code jwt}, {@code bearer-token},
 * {@code llmproxy-key} ({@code llmp_…}), {@code openai-key} ({@code sk-…}, also {@code sk-proj-},
 * {@code sk-ant-} of Anthropic), {@code aws-access-key-id} ({@code AKIA…}/{@code ASIA…}),
 * {@code aws-secret-access-key}, {@code github-token} ({@code ghp_…}, {@code github_pat_…}),
 * {@code google-api-key} ({@code AIza…}), {@code slack-token} ({@code xox?-…}),
 * {@code credential} (a value after {@code password}, {@code secret}, {@code api_key}, {@code token}…
 * and {@code :} or {@code =}). Formats: the providers' published key prefixes (e.g.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids,
 * https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/).
 * It cannot recognise a secret that has no recognisable shape.
 */
public final class SecretMasker {

    private record Rule(String kind, Pattern pattern, int keepGroup) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("private-key", Pattern.compile(
                    "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|\\z)"), 0),
            new Rule("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"), 0),
            new Rule("bearer-token", Pattern.compile("(?i)(\\bbearer\\s+)[A-Za-z0-9._~+/=-]{8,}"), 1),
            new Rule("llmproxy-key", Pattern.compile("\\bllmp_[A-Za-z0-9_-]{8,}"), 0),
            new Rule("openai-key", Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), 0),
            new Rule("aws-access-key-id", Pattern.compile("\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b"), 0),
            new Rule("aws-secret-access-key", Pattern.compile(
                    "(?i)(aws_?secret_?access_?key[\"']?\\s*[:=]\\s*[\"']?)[A-Za-z0-9/+=]{40}"), 1),
            new Rule("github-token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"), 0),
            new Rule("google-api-key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"), 0),
            new Rule("slack-token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"), 0),
            new Rule("credential", Pattern.compile(
                    "(?i)(\\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|token)"
                            + "[\"']?\\s*[:=]\\s*[\"']?)(?!\\[MASKED)[^\\s\"',;]{6,}"), 1));

    private SecretMasker() {
    }

    /** @return {@code text} with every secret-looking string replaced; null stays null */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(out);
            if (!m.find()) {
                continue;
            }
            StringBuilder sb = new StringBuilder(out.length());
            do {
                String kept = rule.keepGroup() == 0 ? "" : m.group(rule.keepGroup());
                m.appendReplacement(sb, Matcher.quoteReplacement(kept + "[MASKED:" + rule.kind() + "]"));
            } while (m.find());
            m.appendTail(sb);
            out = sb.toString();
        }
        return out;
    }
}
