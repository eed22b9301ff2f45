package io.llmproxy.adminweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

class StrictJsonTest {

    enum Role { TenantAdmin, Developer }

    record Target(String providerId, String model) {
    }

    record Body(String name, Role role, Long limit, List<Target> targets, java.math.BigDecimal usd,
                List<String> models) {
    }

    private final JsonMapper mapper = buildMapper();

    private static JsonMapper buildMapper() {
        JsonMapper.Builder builder = JsonMapper.builder();
        new StrictJson().strictAdminInput().customize(builder);
        return builder.build();
    }

    @Test
    void wellFormedBodiesStillRead() {
        Body body = mapper.readValue("{\"name\":\"acme\",\"role\":\"Developer\",\"limit\":5,"
                + "\"targets\":[{\"providerId\":\"p\",\"model\":\"m\"}],\"usd\":\"12.50\"}", Body.class);
        assertThat(body).isEqualTo(new Body("acme", Role.Developer, 5L, List.of(new Target("p", "m")),
                new java.math.BigDecimal("12.50"), null));
        assertThat(mapper.readValue("{\"usd\":12.5}", Body.class).usd()).isEqualByComparingTo("12.5");
    }

    @Test
    void conversionsAndUnknownFieldsAreRefusedNamingTheField() {
        assertField("{\"name\":123}", "name");
        assertField("{\"name\":true}", "name");
        assertField("{\"role\":0}", "role");
        assertField("{\"role\":\"developer\"}", "role");
        assertField("{\"limit\":1.5}", "limit");
        assertField("{\"limit\":\"5\"}", "limit");
        assertField("{\"nmae\":\"typo\"}", "nmae");
        assertField("{\"targets\":[{\"providerId\":\"p\",\"model\":7}]}", "targets[0].model");
        // null elements in any list are refused, naming the element
        assertField("{\"targets\":[null]}", "targets[0]");
        assertField("{\"targets\":[{\"providerId\":\"p\",\"model\":\"m\"},null]}", "targets[1]");
        assertField("{\"models\":[\"a\",null]}", "models[1]");
    }

    private void assertField(String json, String field) {
        assertThatThrownBy(() -> mapper.readValue(json, Body.class))
                .isInstanceOf(JacksonException.class)
                .satisfies(e -> assertThat(StrictJson.fieldOf(e)).isEqualTo(field));
    }
}
