package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryNameTest {

    @Test
    void namesAreLowerCasedWithoutTheTrailingDot() {
        assertThat(QueryName.normalise("API.Example.COM.")).contains("api.example.com");
        assertThat(QueryName.normalise("_dmarc.x-y.example")).contains("_dmarc.x-y.example");
        assertThat(QueryName.normalise("localhost")).contains("localhost");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "-a.example", "a-.example", "a b.example", "a\\032b.example", "*.example",
            "caf\u00e9.example", "1.2.3.4", "host.123", "a/b.example"})
    void oddNamesAreMalformed(String name) {
        assertThat(QueryName.normalise(name)).isEmpty();
    }

    @Test
    void aLabelOver63OrANameOver253IsMalformed() {
        assertThat(QueryName.normalise("a".repeat(63) + ".example")).isPresent();
        assertThat(QueryName.normalise("a".repeat(64) + ".example")).isEmpty();
        String long253 = ("a".repeat(49) + ".").repeat(5) + "b".repeat(3);
        assertThat(long253).hasSize(253);
        assertThat(QueryName.normalise(long253)).isPresent();
        assertThat(QueryName.normalise("c" + long253)).isEmpty();
    }

    @Test
    void auditTextIsCut() {
        assertThat(QueryName.forAudit("x".repeat(1000))).hasSize(260).endsWith("...");
        assertThat(QueryName.forAudit("short")).isEqualTo("short");
    }
}
