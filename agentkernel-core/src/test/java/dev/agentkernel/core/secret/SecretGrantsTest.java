package dev.agentkernel.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.model.SecretGrant;
import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bindings to the proxy's grants: grouping by name, values, placeholders, refusals. */
class SecretGrantsTest {

    @TempDir
    Path dir;

    private SecretManager secrets() {
        SecretManager m = new SecretManager(new MemorySecretStore(), AuditLog.discarding(), dir.resolve("secrets.key"));
        m.set("API_KEY", "stored-value");
        return m;
    }

    @Test
    void oneGrantPerNameWithAllItsHosts() {
        List<SecretGrant> grants = SecretGrants.resolve(SecretBindings.parse(List.of("API_KEY:a.example.com:X-Api-Key",
                "TOKEN=inline:v:b.example.com", "API_KEY:*.example.org:X-Api-Key", "API_KEY:a.example.com:X-Api-Key")),
                secrets(), name -> name.equals("TOKEN"));
        assertThat(grants).hasSize(2);
        SecretGrant api = grants.get(0);
        assertThat(api.name()).isEqualTo("API_KEY");
        assertThat(api.value()).isEqualTo("stored-value");
        assertThat(api.hosts()).containsExactly("a.example.com", "*.example.org");
        assertThat(api.header()).contains("X-Api-Key");
        assertThat(api.body()).isFalse();
        assertThat(api.placeholder()).matches(SecretGrants.PLACEHOLDER).startsWith("AKSECRET_API_KEY_")
                .doesNotContain("stored-value");
        SecretGrant token = grants.get(1);
        assertThat(token.value()).isEqualTo("inline:v");
        assertThat(token.hosts()).containsExactly("b.example.com");
        assertThat(token.header()).isEqualTo(Optional.empty());
        assertThat(token.body()).isTrue();
        assertThat(grants.toString()).doesNotContain("stored-value").doesNotContain("inline:v");
    }

    @Test
    void placeholdersAreUniqueAndOfOneShape() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String p = SecretGrants.placeholder("K");
            assertThat(p).matches(SecretGrants.PLACEHOLDER).hasSize("AKSECRET_K_".length() + 32);
            assertThat(seen.add(p)).as("placeholder %s repeated", p).isTrue();
        }
        SecretManager m = secrets();
        String a = SecretGrants.resolve(SecretBindings.parse(List.of("API_KEY:h")), m).getFirst().placeholder();
        String b = SecretGrants.resolve(SecretBindings.parse(List.of("API_KEY:h")), m).getFirst().placeholder();
        assertThat(a).as("two sandboxes never share a placeholder").isNotEqualTo(b);
    }

    @Test
    void anUnknownSecretOrBindingsThatDisagreeAreRefused() {
        SecretManager m = secrets();
        assertThatThrownBy(() -> SecretGrants.resolve(SecretBindings.parse(List.of("NOPE:h")), m))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("secret 'NOPE' is not stored");
        assertThatThrownBy(() -> SecretGrants.resolve(SecretBindings.parse(List.of("T=a1:h", "T=b2:g")), m))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("different inline values")
                .hasMessageNotContaining("a1").hasMessageNotContaining("b2");
        assertThatThrownBy(() -> SecretGrants.resolve(SecretBindings.parse(List.of("API_KEY=x:h", "API_KEY:g")), m))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("both an inline value and the stored");
        assertThatThrownBy(() -> SecretGrants.resolve(SecretBindings.parse(List.of("API_KEY:h:A", "API_KEY:g:B")), m))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("different headers");
        assertThat(SecretGrants.resolve(List.of(), m)).isEmpty();
    }
}
