package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.backend.BackendProvider;
import dev.agentkernel.core.backend.BackendSelector;
import org.junit.jupiter.api.Test;

class BwrapProviderTest {

    @Test
    void isFoundByTheServiceLoaderUnderItsName() {
        assertThat(BackendSelector.discover().providers())
                .anySatisfy(p -> {
                    assertThat(p).isInstanceOf(BwrapProvider.class);
                    assertThat(p.name()).isEqualTo("bwrap");
                });
    }

    @Test
    void describesItself() {
        BackendProvider provider = new BwrapProvider();

        assertThat(provider.name()).isEqualTo(BwrapProvider.NAME).isEqualTo("bwrap");
        assertThat(provider.priority()).isEqualTo(100);
        assertThat(provider.description()).contains("bubblewrap").contains("seccomp");
    }

    @Test
    void installHintsAreAptCommands() {
        assertThat(HostTools.installHint("bubblewrap")).isEqualTo("apt-get install -y bubblewrap");
    }

    @Test
    void hostToolsFindsAbsoluteExecutablesOnly() {
        assertThat(HostTools.find("sh")).hasValueSatisfying(p -> {
            assertThat(p.isAbsolute()).isTrue();
            assertThat(p.getFileName().toString()).isEqualTo("sh");
        });
        assertThat(HostTools.find("agentkernel-no-such-program-xyz")).isEmpty();
    }
}
