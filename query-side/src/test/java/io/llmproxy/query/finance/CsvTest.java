package io.llmproxy.query.finance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void formulasFromClientChosenNamesAreDefusedAndQuotingFollowsRfc4180() {
        Map<String, Object> evil = new LinkedHashMap<>();
        evil.put("model", "=HYPERLINK(\"http://x\",\"y\")");
        evil.put("requests", 1L);
        evil.put("costMicros", -5L);
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("model", "gpt-4o, mini");
        plain.put("requests", 2L);
        plain.put("costMicros", null);
        var response = Csv.response(List.of("model", "requests", "costMicros"), List.of(evil, plain));
        assertThat(response.getHeaders().getContentType().toString()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(response.getBody()).isEqualTo("model,requests,costMicros\r\n"
                + "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1,-5\r\n"
                + "\"gpt-4o, mini\",2,\r\n");
        assertThat(Csv.cell("+1")).isEqualTo("'+1");
        assertThat(Csv.cell("@sum")).isEqualTo("'@sum");
        assertThat(Csv.cell("-x")).isEqualTo("'-x");
        assertThat(Csv.cell("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(Csv.cell("")).isEqualTo("");
    }

    @Test
    void csvIsAskedForByFormatOrAccept() {
        assertThat(Csv.wanted("csv", null)).isTrue();
        assertThat(Csv.wanted("json", "text/csv")).isFalse();
        assertThat(Csv.wanted(null, "text/csv, application/json;q=0.5")).isTrue();
        assertThat(Csv.wanted(null, "application/json")).isFalse();
        assertThat(Csv.wanted(null, null)).isFalse();
    }
}
