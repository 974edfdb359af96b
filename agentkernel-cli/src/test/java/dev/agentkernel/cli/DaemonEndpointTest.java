package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Where the CLI looks for the daemon, first match wins, and the API key it sends. */
class DaemonEndpointTest {

    private static final Supplier<Optional<DaemonInfo>> NONE_STARTED = Optional::empty;
    private static final Supplier<Optional<DaemonInfo>> STARTED = () -> Optional.of(
            new DaemonInfo(42, new DaemonAddress("0.0.0.0", 4711), Instant.EPOCH, "/var/log/x"));

    @Test
    void theOptionComesFirst() {
        DaemonEndpoint e = DaemonEndpoint.resolve("http://h:1/", Map.of("AGENTKERNEL_BASE_URL", "http://env:2"), STARTED);
        assertThat(e.url()).isEqualTo("http://h:1");
        assertThat(e.source()).isEqualTo("--url");
    }

    @Test
    void thenTheEnvironment() {
        DaemonEndpoint e = DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_BASE_URL", " https://ak.example.com/api// "),
                STARTED);
        assertThat(e.url()).isEqualTo("https://ak.example.com/api");
        assertThat(e.source()).isEqualTo("AGENTKERNEL_BASE_URL");
    }

    @Test
    void thenTheDaemonThatDaemonStartStarted() {
        DaemonEndpoint e = DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_BASE_URL", "  "), STARTED);
        assertThat(e.url()).as("a wildcard address is reached on loopback").isEqualTo("http://127.0.0.1:4711");
        assertThat(e.source()).isEqualTo("daemon.json");
    }

    @Test
    void thenTheDefault() {
        DaemonEndpoint e = DaemonEndpoint.resolve(null, Map.of(), NONE_STARTED);
        assertThat(e.url()).isEqualTo("http://localhost:18888");
        assertThat(e.source()).isEqualTo("default");
        assertThat(e.apiKey()).isEmpty();
    }

    @Test
    void theStateDirectoryIsOnlyReadWhenNeeded() {
        Supplier<Optional<DaemonInfo>> fails = () -> {
            throw new AssertionError("read daemon.json although a URL was given");
        };
        assertThat(DaemonEndpoint.resolve("http://a:1", Map.of(), fails).url()).isEqualTo("http://a:1");
    }

    @Test
    void theApiKeyIsTheFirstOfTheVariable() {
        assertThat(DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_API_KEY", " k1 , k2"), NONE_STARTED).apiKey())
                .contains("k1");
        assertThat(DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_API_KEY", ""), NONE_STARTED).apiKey()).isEmpty();
    }

    @Test
    void invalidUrlsNameWhereTheyCameFrom() {
        assertThatThrownBy(() -> DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_BASE_URL", "localhost:18888"), STARTED))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("AGENTKERNEL_BASE_URL must be an http:// or https:// URL such as http://localhost:18888, "
                        + "got 'localhost:18888'");
        for (String bad : new String[] {"ftp://h", "http://", "http://u@h:1", "http://h:1/?q=1", "http://h/#f", "h t t p"}) {
            assertThatThrownBy(() -> DaemonEndpoint.normalize(bad, "--url")).as(bad)
                    .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--url must be");
        }
    }

    @Test
    void withoutAKeyTheDaemonsOwnKeyFileIsUsedForThisMachinesDaemonOnly() {
        Supplier<Optional<String>> local = () -> Optional.of("sk-local");
        assertThat(DaemonEndpoint.resolve(null, Map.of(), STARTED, local).apiKey()).as("daemon.json").contains("sk-local");
        assertThat(DaemonEndpoint.resolve(null, Map.of(), NONE_STARTED, local).apiKey()).as("default").contains("sk-local");
        assertThat(DaemonEndpoint.resolve("http://127.0.0.1:9", Map.of(), NONE_STARTED, local).apiKey()).contains("sk-local");
        assertThat(DaemonEndpoint.resolve("http://localhost:9", Map.of(), NONE_STARTED, local).apiKey()).contains("sk-local");
        assertThat(DaemonEndpoint.resolve("https://ak.example.com", Map.of(), NONE_STARTED, local).apiKey())
                .as("never sent to another machine").isEmpty();
        assertThat(DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_BASE_URL", "http://10.0.0.2:1"), NONE_STARTED, local)
                .apiKey()).isEmpty();
        assertThat(DaemonEndpoint.resolve(null, Map.of("AGENTKERNEL_API_KEY", "sk-env"), STARTED, local).apiKey())
                .as("the environment wins").contains("sk-env");
    }
}
