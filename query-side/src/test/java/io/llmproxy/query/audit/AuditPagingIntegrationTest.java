package io.llmproxy.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /audit/v1/events} pages and cursors (attacker pass of 2026-12-07): a tampered cursor is a 400
 * naming {@code cursor} in every format, never a 500; a JSON page is cut by the bytes of its rows'
 * event data ({@code llmproxy.audit.page-max-bytes}, 100,000 here) as well as by {@code limit}, and
 * following {@code nextCursor} still returns every row exactly once, in order.
 */
class AuditPagingIntegrationTest extends AuditReadsTestBase {

    private static final String PAGED = "e0000000-0000-4000-8000-00000000000e";
    /** rows 1..10 and 12..21 hold 30,000 characters of text, row 11 150,000 (more than a page's cap alone) */
    private static final int[] SIZES = IntStream.rangeClosed(1, 21).map(i -> i == 11 ? 150_000 : 30_000).toArray();

    static Stream<Arguments> tamperedCursors() {
        List<Arguments> cases = new ArrayList<>();
        List<String[]> kinds = List.of(
                new String[] {"far future", b64("+1000000000-01-01T00:00:00Z|1")},
                new String[] {"far past", b64("-1000000000-01-01T00:00:00Z|1")},
                new String[] {"after year 9999", b64("+10000-01-01T00:00:00Z|1")},
                new String[] {"negative id", b64("2026-11-01T09:00:00Z|-1")},
                new String[] {"id beyond Long", b64("2026-11-01T09:00:00Z|9223372036854775808")},
                new String[] {"no bar", b64("2026-11-01T09:00:00Z")},
                new String[] {"not base64", "!!"},
                new String[] {"empty", ""});
        for (String[] kind : kinds) {
            for (String format : List.of("json", "csv", "ndjson")) {
                cases.add(Arguments.of(kind[0], kind[1], format));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} ({2})")
    @MethodSource("tamperedCursors")
    void aTamperedCursorIs400NamingCursor(String kind, String cursor, String format) throws Exception {
        HttpResponse<String> r = get("/audit/v1/events?tenantId=" + PAGED + "&format=" + format + "&cursor="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(kind + ": " + r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = json.readTree(r.body());
        assertThat(problem.get("field").asString()).isEqualTo("cursor");
        assertThat(problem.get("code").asString()).isEqualTo("invalid_cursor");
        assertThat(problem.get("detail").asString()).isEqualTo("cursor must be a nextCursor value of a previous page");
    }

    @Test
    void theEdgesOfTheRangeAreValidCursors() throws Exception {
        // LATEST itself and id 0 are accepted: a page after them is empty, a page after EARLIEST is everything
        assertThat(getJson("/audit/v1/events?tenantId=nobody&cursor=" + b64("9999-12-31T23:59:59Z|0")).get("items")).isEmpty();
        assertThat(getJson("/audit/v1/events?tenantId=nobody&cursor=" + b64("0001-01-01T00:00:00Z|0")).get("items")).isEmpty();
    }

    @Test
    void aPageIsCutByTheBytesOfItsEventDataAndTheCursorsReturnEveryRowOnce() throws Exception {
        insertRows(PAGED, SIZES);

        JsonNode first = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=10");
        // 3 rows of ~30,040 bytes before it are below 100,000, the 4th (~120,160) is not: 4 of the 10 allowed
        assertThat(ids(first)).containsExactly(eventId(PAGED, 1), eventId(PAGED, 2), eventId(PAGED, 3), eventId(PAGED, 4));
        assertThat(first.get("limit").asInt()).isEqualTo(10);
        assertThat(first.get("nextCursor").isNull()).isFalse();

        List<String> all = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=10" + (cursor == null ? "" : "&cursor=" + cursor));
            all.addAll(ids(page));
            sizes.add(page.get("items").size());
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null && sizes.size() < 50);
        assertThat(sizes).containsExactly(4, 4, 3, 4, 4, 2);
        assertThat(all).isEqualTo(IntStream.rangeClosed(1, 21).mapToObj(i -> eventId(PAGED, i)).toList());

        // a row larger than the cap on its own is a page of one
        JsonNode big = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=10&from=" + T0.plusSeconds(11));
        assertThat(ids(big)).containsExactly(eventId(PAGED, 11));
        assertThat(big.get("items").get(0).get("data").get("promptText").asString()).hasSize(150_000);
        assertThat(big.get("nextCursor").isNull()).isFalse();

        // limit still bounds a page; offset clients advance by the number of items returned
        JsonNode two = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=2");
        assertThat(ids(two)).containsExactly(eventId(PAGED, 1), eventId(PAGED, 2));
        assertThat(two.get("nextCursor").isNull()).isFalse();
        JsonNode second = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=10&offset=4");
        assertThat(second.get("offset").asInt()).isEqualTo(4);
        assertThat(ids(second)).containsExactly(eventId(PAGED, 5), eventId(PAGED, 6), eventId(PAGED, 7), eventId(PAGED, 8));
        assertThat(second.get("nextCursor").isNull()).isFalse();
        // the last rows fit: no cursor
        JsonNode last = getJson("/audit/v1/events?tenantId=" + PAGED + "&limit=10&from=" + T0.plusSeconds(20));
        assertThat(ids(last)).containsExactly(eventId(PAGED, 20), eventId(PAGED, 21));
        assertThat(last.get("nextCursor").isNull()).isTrue();
    }

    private static List<String> ids(JsonNode page) {
        return page.get("items").valueStream().map(i -> i.get("eventId").asString()).toList();
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
