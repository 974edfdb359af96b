package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Configuration: explicit settings over the environment over the defaults. */
class ClientBuilderTest {

    private static ClientSettings settings(ClientBuilder<?> b) {
        return b.settings();
    }

    @Test
    void defaultsWithoutEnvironment() {
        ClientSettings s = settings(AgentKernel.builder().environment(Map.of()));
        assertThat(s.baseUrl()).isEqualTo(URI.create("http://localhost:18888"));
        assertThat(s.apiKey()).isEmpty();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.httpClient()).isEmpty();
    }

    @Test
    void environmentSuppliesUrlAndKey() {
        ClientSettings s = settings(AgentKernel.builder().environment(Map.of(
                "AGENTKERNEL_BASE_URL", " https://ak.example.com:8443/api/ ", "AGENTKERNEL_API_KEY", "sk-env")));
        assertThat(s.baseUrl()).isEqualTo(URI.create("https://ak.example.com:8443/api"));
        assertThat(s.apiKey()).contains("sk-env");
    }

    @Test
    void explicitSettingsWinOverTheEnvironment() {
        ClientSettings s = settings(AsyncAgentKernel.builder()
                .environment(Map.of("AGENTKERNEL_BASE_URL", "http://env:1", "AGENTKERNEL_API_KEY", "sk-env"))
                .baseUrl(URI.create("http://explicit:2/")).apiKey("sk-explicit").timeout(Duration.ofMillis(1500)));
        assertThat(s.baseUrl()).isEqualTo(URI.create("http://explicit:2"));
        assertThat(s.apiKey()).contains("sk-explicit");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aNullOrBlankKeyTurnsTheEnvironmentKeyOff() {
        Map<String, String> env = Map.of("AGENTKERNEL_API_KEY", "sk-env");
        assertThat(settings(AgentKernel.builder().environment(env).apiKey(null)).apiKey()).isEmpty();
        assertThat(settings(AgentKernel.builder().environment(env).apiKey("  ")).apiKey()).isEmpty();
    }

    @Test
    void blankEnvironmentValuesAreIgnored() {
        ClientSettings s = settings(AgentKernel.builder().environment(Map.of(
                "AGENTKERNEL_BASE_URL", "  ", "AGENTKERNEL_API_KEY", "")));
        assertThat(s.baseUrl()).isEqualTo(URI.create("http://localhost:18888"));
        assertThat(s.apiKey()).isEqualTo(Optional.empty());
    }

    @Test
    void aBadUrlFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> AgentKernel.builder().environment(Map.of("AGENTKERNEL_BASE_URL", "localhost:18888"))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AGENTKERNEL_BASE_URL must be an http:// or https:// URL")
                .hasMessageContaining("localhost:18888");
    }

    @Test
    void badUrlsAreRefusedWithAnExample() {
        for (String url : new String[] {"ftp://host", "http://", "not a url", "http://host/?q=1", "http://u:p@host"}) {
            assertThatThrownBy(() -> AgentKernel.builder().environment(Map.of()).baseUrl(url).build())
                    .as(url).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("such as http://localhost:18888");
        }
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> AgentKernel.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> AgentKernel.builder().timeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeyIsNotShownInToString() {
        ClientSettings s = settings(AgentKernel.builder().environment(Map.of()).apiKey("sk-secret"));
        assertThat(s.toString()).doesNotContain("sk-secret").contains("(set)");
        try (AgentKernel client = AgentKernel.builder().environment(Map.of()).apiKey("sk-secret").build()) {
            assertThat(client.toString()).doesNotContain("sk-secret").contains("localhost:18888");
        }
    }

    @Test
    void createReadsTheProcessEnvironment() {
        String url = System.getenv("AGENTKERNEL_BASE_URL");
        String expected;
        try {
            expected = url == null || url.isBlank() ? "http://localhost:18888"
                    : ClientBuilder.parseBaseUrl(url, "AGENTKERNEL_BASE_URL").toString();
        } catch (IllegalArgumentException e) {
            assertThatThrownBy(AgentKernel::create).hasMessageContaining("AGENTKERNEL_BASE_URL");
            return;
        }
        try (AgentKernel client = AgentKernel.create()) {
            assertThat(client.toString()).contains(expected);
        }
    }

    @Test
    void withoutAKeyTheLocalDaemonsKeyFileIsUsedForLoopbackOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path state)
            throws Exception {
        java.nio.file.Files.writeString(state.resolve("api-key"), "sk-local\n");
        Map<String, String> env = Map.of("AGENTKERNEL_STATE_DIR", state.toString());
        assertThat(settings(AgentKernel.builder().environment(env)).apiKey()).contains("sk-local");
        assertThat(settings(AgentKernel.builder().environment(env).baseUrl("http://127.0.0.1:4711")).apiKey())
                .contains("sk-local");
        assertThat(settings(AgentKernel.builder().environment(env).baseUrl("http://[::1]:4711")).apiKey()).contains("sk-local");
        assertThat(settings(AgentKernel.builder().environment(env).baseUrl("https://ak.example.com")).apiKey())
                .as("never sent to another machine").isEmpty();
        assertThat(settings(AgentKernel.builder().environment(env).apiKey(null)).apiKey()).as("explicitly none").isEmpty();
        Map<String, String> withKey = Map.of("AGENTKERNEL_STATE_DIR", state.toString(), "AGENTKERNEL_API_KEY", "sk-env");
        assertThat(settings(AgentKernel.builder().environment(withKey)).apiKey()).contains("sk-env");
        assertThat(settings(AgentKernel.builder().environment(Map.of())).apiKey()).as("a replaced environment").isEmpty();
    }
}
