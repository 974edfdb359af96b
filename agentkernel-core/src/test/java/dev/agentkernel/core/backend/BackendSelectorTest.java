package dev.agentkernel.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {

    private static final HostContext HOST = new HostContext(Path.of("/nonexistent/state"), Path.of("/nonexistent/run"),
            false, 2, Map.of());

    /** A provider whose probe answer is fixed; records whether it was opened. */
    private static final class FakeProvider implements BackendProvider {
        final String name;
        final int priority;
        final Availability availability;
        final RuntimeException probeFailure;
        int opened;
        int probed;

        FakeProvider(String name, int priority, Availability availability) {
            this(name, priority, availability, null);
        }

        FakeProvider(String name, int priority, Availability availability, RuntimeException probeFailure) {
            this.name = name;
            this.priority = priority;
            this.availability = availability;
            this.probeFailure = probeFailure;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "fake " + name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability probe(HostContext host) {
            probed++;
            if (probeFailure != null) {
                throw probeFailure;
            }
            return availability;
        }

        @Override
        public IsolationBackend open(HostContext host) {
            opened++;
            return new FakeBackend(name);
        }
    }

    private record FakeBackend(String name) implements IsolationBackend {
        @Override
        public Execution start(SandboxSpec spec, CommandSpec command, Stdio stdio) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Execution startAgent(SandboxSpec spec, Stdio stdio) {
            throw new UnsupportedOperationException();
        }
    }

    private static Availability down(String reason, String fix) {
        return Availability.unavailable(reason, fix);
    }

    @Test
    void providersAreOrderedBestFirst() {
        FakeProvider low = new FakeProvider("low", 1, Availability.available());
        FakeProvider high = new FakeProvider("high", 100, Availability.available());
        FakeProvider mid = new FakeProvider("mid", 50, Availability.available());

        BackendSelector selector = new BackendSelector(List.of(low, high, mid));

        assertThat(selector.providers()).extracting(BackendProvider::name).containsExactly("high", "mid", "low");
    }

    @Test
    void picksTheAvailableProviderWithTheHighestPriority() {
        FakeProvider best = new FakeProvider("best", 100, down("missing tool", "install it"));
        FakeProvider second = new FakeProvider("second", 50, Availability.available());
        FakeProvider third = new FakeProvider("third", 10, Availability.available());

        IsolationBackend backend = new BackendSelector(List.of(third, best, second)).open(Optional.empty(), HOST);

        assertThat(backend.name()).isEqualTo("second");
        assertThat(second.opened).isEqualTo(1);
        assertThat(best.opened).isZero();
        assertThat(third.opened).isZero();
        assertThat(third.probed).as("no probe past the first available (docker's runs its client)").isZero();
    }

    @Test
    void opensTheNamedBackendEvenIfAnotherRanksHigher() {
        FakeProvider high = new FakeProvider("high", 100, Availability.available());
        FakeProvider low = new FakeProvider("low", 1, Availability.available());

        IsolationBackend backend = new BackendSelector(List.of(high, low)).open(Optional.of("low"), HOST);

        assertThat(backend.name()).isEqualTo("low");
        assertThat(high.opened).isZero();
        assertThat(high.probed).as("other providers need not be probed").isZero();
    }

    @Test
    void anUnknownNameIsAnInvalidRequestListingTheKnownNames() {
        BackendSelector selector = new BackendSelector(List.of(
                new FakeProvider("bwrap", 100, Availability.available()),
                new FakeProvider("gvisor", 50, Availability.available())));

        assertThatThrownBy(() -> selector.open(Optional.of("docker"), HOST))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("unknown backend 'docker': use one of bwrap, gvisor");
    }

    @Test
    void theNamedBackendUnavailableSaysWhyAndHowToFix() {
        FakeProvider bwrap = new FakeProvider("bwrap", 100, down("bwrap not found on PATH", "apt-get install -y bubblewrap"));
        BackendSelector selector = new BackendSelector(List.of(bwrap));

        assertThatThrownBy(() -> selector.open(Optional.of("bwrap"), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("backend bwrap is not available: bwrap not found on PATH (fix: apt-get install -y bubblewrap)");
        assertThat(bwrap.opened).isZero();
    }

    @Test
    void theNamedBackendUnavailableWithoutAFixHasNoFixPart() {
        BackendSelector selector = new BackendSelector(List.of(new FakeProvider("vm", 1, down("needs KVM", ""))));

        assertThatThrownBy(() -> selector.open(Optional.of("vm"), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("backend vm is not available: needs KVM");
    }

    @Test
    void noneAvailableListsEveryCandidateWithReasonAndFix() {
        BackendSelector selector = new BackendSelector(List.of(
                new FakeProvider("vm", 10, down("needs KVM", "enable virtualization")),
                new FakeProvider("bwrap", 100, down("bwrap not found on PATH", "apt-get install -y bubblewrap")),
                new FakeProvider("plain", 1, down("disabled", ""))));

        assertThatThrownBy(() -> selector.open(Optional.empty(), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("no isolation backend is available: "
                        + "bwrap: bwrap not found on PATH (fix: apt-get install -y bubblewrap); "
                        + "vm: needs KVM (fix: enable virtualization); "
                        + "plain: disabled");
    }

    @Test
    void noProvidersAtAllIsUnavailableNotACrash() {
        BackendSelector selector = new BackendSelector(List.of());

        assertThatThrownBy(() -> selector.open(Optional.empty(), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageStartingWith("no isolation backend is available");
        assertThatThrownBy(() -> selector.open(Optional.of("bwrap"), HOST))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("unknown backend 'bwrap'");
    }

    @Test
    void aProbeThatThrowsIsReportedAsUnavailableAndTheNextOneIsUsed() {
        FakeProvider broken = new FakeProvider("broken", 100, null, new IllegalStateException("cannot read /proc"));
        FakeProvider ok = new FakeProvider("ok", 1, Availability.available());

        BackendSelector selector = new BackendSelector(List.of(broken, ok));
        List<BackendSelector.Probe> probes = selector.probeAll(HOST);

        assertThat(probes).extracting(BackendSelector.Probe::summary)
                .containsExactly("broken: probe failed: cannot read /proc", "ok: available");
        assertThat(selector.open(Optional.empty(), HOST).name()).isEqualTo("ok");
    }

    @Test
    void aProbeThatThrowsAppearsInTheNoneAvailableMessage() {
        BackendSelector selector = new BackendSelector(List.of(
                new FakeProvider("broken", 100, null, new IllegalStateException("boom")),
                new FakeProvider("other", 1, down("missing", "install"))));

        assertThatThrownBy(() -> selector.open(Optional.empty(), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("no isolation backend is available: broken: probe failed: boom; other: missing (fix: install)");
    }

    @Test
    void aNamedBackendWhoseProbeThrowsIsReportedNotCrashed() {
        BackendSelector selector = new BackendSelector(List.of(
                new FakeProvider("broken", 100, null, new IllegalStateException("boom"))));

        assertThatThrownBy(() -> selector.open(Optional.of("broken"), HOST))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("backend broken is not available: probe failed: boom");
    }

    @Test
    void probeAllProbesEveryProviderBestFirst() {
        List<FakeProvider> providers = new ArrayList<>(List.of(
                new FakeProvider("a", 1, down("r1", "f1")),
                new FakeProvider("b", 3, Availability.available()),
                new FakeProvider("c", 2, down("r3", ""))));

        List<BackendSelector.Probe> probes = new BackendSelector(List.copyOf(providers)).probeAll(HOST);

        assertThat(probes).extracting(p -> p.provider().name()).containsExactly("b", "c", "a");
        assertThat(probes).extracting(BackendSelector.Probe::summary)
                .containsExactly("b: available", "c: r3", "a: r1 (fix: f1)");
        assertThat(providers).allSatisfy(p -> assertThat(p.probed).isEqualTo(1));
    }

    @Test
    void availabilityHelpers() {
        assertThat(Availability.available().isAvailable()).isTrue();
        assertThat(Availability.unavailable("r", "f").isAvailable()).isFalse();
        assertThatThrownBy(() -> Availability.unavailable(null, "")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Availability.unavailable("r", null)).isInstanceOf(NullPointerException.class);
    }
}
