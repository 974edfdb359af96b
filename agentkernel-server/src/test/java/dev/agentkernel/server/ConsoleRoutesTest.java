package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The console page's style nonce and policy ({@link ConsoleRoutes}); served end to end in {@code ConsoleIT}. */
class ConsoleRoutesTest {

    @Test
    void eachNonceIs128RandomBitsInBase64() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String nonce = ConsoleRoutes.nonce();
            assertThat(nonce).matches("[A-Za-z0-9+/]{22}==");
            assertThat(seen.add(nonce)).as("a fresh nonce each time").isTrue();
        }
    }

    @Test
    void thePagePolicyAllowsOnlyNoncedStyleElementsBesideTheFixedPolicy() {
        String policy = ConsoleRoutes.pagePolicy("AAAAAAAAAAAAAAAAAAAAAA==");
        assertThat(policy).contains("style-src 'self' 'nonce-AAAAAAAAAAAAAAAAAAAAAA==';")
                .contains("script-src 'self';").contains("default-src 'none';").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe");
        assertThat(policy.replace(" 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='", "")).isEqualTo(ConsoleRoutes.POLICY);
    }
}
