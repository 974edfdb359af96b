package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing serve's "serving on" line, and the URL a client uses. */
class DaemonAddressTest {

    @Test
    void theServingLineGivesHostAndPort() {
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://127.0.0.1:39663 (backend bwrap, no API key)"))
                .contains(new DaemonAddress("127.0.0.1", 39663));
    }

    @Test
    void aLineWithoutTheSuffixStillCounts() {
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://localhost:18888"))
                .contains(new DaemonAddress("localhost", 18888));
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://localhost:18888/ now"))
                .contains(new DaemonAddress("localhost", 18888));
    }

    @Test
    void ipv6HostsWithAndWithoutBrackets() {
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://::1:8080 (backend bwrap)"))
                .contains(new DaemonAddress("::1", 8080));
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://[::1]:8080 (backend bwrap)"))
                .contains(new DaemonAddress("::1", 8080));
    }

    @Test
    void aSuffixWithColonsAndDigitsDoesNotConfuseIt() {
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://10.0.0.1:9000 (note x:1234 y)"))
                .contains(new DaemonAddress("10.0.0.1", 9000));
    }

    @Test
    void otherLinesAndImpossiblePortsAreNotServingLines() {
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://127.0.0.1:-1 (backend bwrap)")).isEmpty();
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://127.0.0.1:0 (backend bwrap)")).isEmpty();
        assertThat(DaemonAddress.fromServingLine("agentkernel: serving on http://127.0.0.1:70000 (backend bwrap)")).isEmpty();
        assertThat(DaemonAddress.fromServingLine("agentkernel: warning: listening on a non-loopback address")).isEmpty();
        assertThat(DaemonAddress.fromServingLine("GET http://127.0.0.1:18888/health")).isEmpty();
        assertThat(DaemonAddress.fromServingLine("")).isEmpty();
    }

    @Test
    void theFirstServingLineInALogStretchWins() {
        String log = """
                agentkernel: daemon starting at 2025-01-01T00:00:00Z: serve --host 0.0.0.0 --port 0
                There is no Helidon logging implementation on classpath, skipping log configuration.
                agentkernel: serving on http://0.0.0.0:41234 (backend bwrap, API key required)
                agentkernel: serving on http://0.0.0.0:1 (backend bwrap, API key required)
                """;
        assertThat(DaemonAddress.findIn(log)).contains(new DaemonAddress("0.0.0.0", 41234));
        assertThat(DaemonAddress.findIn("nothing yet\n")).isEqualTo(Optional.empty());
    }

    @Test
    void wildcardAddressesAreReachedOverLoopback() {
        assertThat(new DaemonAddress("0.0.0.0", 18888).url()).isEqualTo("http://127.0.0.1:18888");
        assertThat(new DaemonAddress("::", 18888).url()).isEqualTo("http://[::1]:18888");
        assertThat(new DaemonAddress("::1", 80).url()).isEqualTo("http://[::1]:80");
        assertThat(new DaemonAddress("example.internal", 8080).url()).isEqualTo("http://example.internal:8080");
    }

    @Test
    void portZeroOrABlankHostIsNoAddress() {
        assertThatThrownBy(() -> new DaemonAddress("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DaemonAddress(" ", 80)).isInstanceOf(IllegalArgumentException.class);
    }
}
