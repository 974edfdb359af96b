package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The choice of network mechanism, where it needs no root: the bridge is refused before any set-up. */
class NetworkChoiceTest {

    private static final Optional<Path> SLIRP = Optional.of(Path.of("/usr/bin/slirp4netns"));

    private static HostContext notRoot(Map<String, String> env) {
        return new HostContext(Path.of("/nonexistent/state"), Path.of("/nonexistent/run"), false, 2, env);
    }

    @Test
    void withoutRootSandboxesUseSlirp4netns() {
        NetworkChoice.Decision decision = new NetworkChoice(notRoot(Map.of()), SLIRP).decide();
        assertThat(decision.wiring()).isEqualTo(NetworkWiring.SLIRP4NETNS);
        assertThat(decision.slirp()).isEqualTo(SLIRP);
        assertThat(decision.bridge()).isEmpty();
    }

    @Test
    void forcingTheBridgeWithoutRootFailsWithTheReason() {
        NetworkChoice choice = new NetworkChoice(notRoot(Map.of(NetworkChoice.ENV, "bridge")), SLIRP);
        assertThatThrownBy(choice::decide).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("AGENTKERNEL_NETWORK=bridge").hasMessageContaining("needs root");
    }

    @Test
    void noMechanismAtAllNamesBothReasons() {
        NetworkChoice choice = new NetworkChoice(notRoot(Map.of()), Optional.empty());
        assertThatThrownBy(choice::decide).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("apt-get install -y slirp4netns").hasMessageContaining("needs root");
    }

    @Test
    void forcedSlirp4netnsNeedsIt() {
        NetworkChoice choice = new NetworkChoice(notRoot(Map.of(NetworkChoice.ENV, "slirp4netns")), Optional.empty());
        assertThatThrownBy(choice::decide).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("slirp4netns is not installed");
    }

    @Test
    void anUnknownValueIsRefused() {
        NetworkChoice choice = new NetworkChoice(notRoot(Map.of(NetworkChoice.ENV, "pasta")), SLIRP);
        assertThatThrownBy(choice::decide).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("auto, bridge or slirp4netns").hasMessageContaining("pasta");
    }

    @Test
    void aDecisionCannotMixUpItsWiring() {
        assertThatThrownBy(() -> new NetworkChoice.Decision(NetworkWiring.BRIDGE, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkChoice.Decision(NetworkWiring.OFFLINE, Optional.empty(), SLIRP))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
