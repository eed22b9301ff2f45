package io.llmproxy.query.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/** The audit read bounds' defaults and their binding from {@code llmproxy.audit.*}. */
class AuditReadPropertiesTest {

    @Test
    void defaults() {
        AuditReadProperties p = bind(Map.of());
        assertThat(p.pageMaxBytes()).isEqualTo(DataSize.ofMegabytes(2));
        assertThat(p.pageMaxBytes().toBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(p.maxConcurrentExports()).isEqualTo(2);
        assertThat(p.maxConcurrentPages()).isEqualTo(4);
        assertThat(p.exportMaxDuration()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void setAndChecked() {
        AuditReadProperties p = bind(Map.of("llmproxy.audit.page-max-bytes", "512KB", "llmproxy.audit.max-concurrent-exports", "1",
                "llmproxy.audit.max-concurrent-pages", "8", "llmproxy.audit.export-max-duration", "90s"));
        assertThat(p).isEqualTo(new AuditReadProperties(DataSize.ofKilobytes(512), 1, 8, Duration.ofSeconds(90)));
        assertThatThrownBy(() -> bind(Map.of("llmproxy.audit.max-concurrent-exports", "0"))).isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("max-concurrent-exports=0");
    }

    private static AuditReadProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("llmproxy.audit", AuditReadProperties.class);
    }
}
