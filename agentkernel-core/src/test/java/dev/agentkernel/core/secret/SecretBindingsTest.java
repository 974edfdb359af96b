package dev.agentkernel.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Node client's {@code secrets} strings and {@code secret_files} names. */
class SecretBindingsTest {

    @Test
    void theThreeForms() {
        assertThat(SecretBindings.parse("API_KEY:api.example.com"))
                .isEqualTo(new SecretBinding("API_KEY", Optional.empty(), "api.example.com", Optional.empty()));
        assertThat(SecretBindings.parse("API_KEY:*.Example.COM.:Authorization"))
                .isEqualTo(new SecretBinding("API_KEY", Optional.empty(), "*.example.com", Optional.of("Authorization")));
        assertThat(SecretBindings.parse("TOKEN=abc123:api.example.com"))
                .isEqualTo(new SecretBinding("TOKEN", Optional.of("abc123"), "api.example.com", Optional.empty()));
    }

    @Test
    void anInlineValueEndsAtTheLastColon() {
        SecretBinding b = SecretBindings.parse("TOKEN=user:pa=ss:word:api.example.com");
        assertThat(b.inlineValue()).contains("user:pa=ss:word");
        assertThat(b.host()).isEqualTo("api.example.com");
        assertThat(b.header()).isEmpty();
        assertThat(SecretBindings.parse("T==:h").inlineValue()).contains("=");
        assertThat(b.toString()).doesNotContain("user").contains("inline");
    }

    @Test
    void badEntriesAreRefusedWithoutQuotingAnInlineValue() {
        record Case(String entry, String message) {
        }
        for (Case c : List.of(
                new Case("", "an entry is empty"),
                new Case("API_KEY", "followed by ':' or '='"),
                new Case("1KEY:h", "must start with a secret name"),
                new Case("API-KEY:h", "'-' after the secret name"),
                new Case("API_KEY:", "host '' is not a host name"),
                new Case("API_KEY:a:b:c", "too many ':'"),
                new Case("API_KEY:host:443", "looks like a port, but a host takes no port"),
                new Case("API_KEY:exa mple.com", "is not a DNS label"),
                new Case("API_KEY:*.*.example.com", "is not a DNS label"),
                new Case("API_KEY:example.com:Bad Header", "is not an HTTP header name"),
                new Case("TOKEN=s3cr3t-value", "needs the host it is for"),
                new Case("TOKEN=:example.com", "the inline value is empty"),
                new Case("TOKEN=s3cr3t-value:bad host!", "host after the last ':' is not a host name"))) {
            assertThatThrownBy(() -> SecretBindings.parse(List.of(c.entry()))).as(c.entry())
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining(c.message())
                    .hasMessageNotContaining("s3cr3t").hasMessageStartingWith("secrets[0]");
        }
        assertThatThrownBy(() -> SecretBindings.parse(Collections.singletonList(null)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> SecretBindings.parse(Collections.nCopies(101, "A:h")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 100");
        assertThatThrownBy(() -> SecretBindings.parse("A" + "x".repeat(128) + ":h"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 128");
    }

    @Test
    void fileNamesMustBeGrantedToSomeHost() {
        List<SecretBinding> bindings = SecretBindings.parse(List.of("A:a.example.com", "B=v:b.example.com"));
        assertThat(SecretBindings.files(List.of("A", "B", "A"), bindings)).containsExactly("A", "B");
        assertThatThrownBy(() -> SecretBindings.files(List.of("C"), bindings)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'C' is granted to no host").hasMessageContaining("C:HOST");
        assertThatThrownBy(() -> SecretBindings.files(List.of("../x"), bindings))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("secret_files: invalid secret name");
        assertThat(SecretBindings.filePath("A")).isEqualTo("/run/agentkernel/secrets/A");
    }
}
