package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TerminationTest {

    @Test
    void aNormalExitKeepsItsCodeAndHasNoDescription() {
        assertThat(new Termination.Exited(0).exitCode()).isZero();
        assertThat(new Termination.Exited(3).exitCode()).isEqualTo(3);
        assertThat(new Termination.Exited(255).exitCode()).isEqualTo(255);
        assertThat(new Termination.Exited(3).describe()).isEmpty();
    }

    @Test
    void aSignalGives128PlusTheSignal() {
        Termination t = new Termination.Signaled(9);
        assertThat(t.exitCode()).isEqualTo(137);
        assertThat(t.describe()).isEqualTo("killed by signal 9");
        assertThat(new Termination.Signaled(15).exitCode()).isEqualTo(143);
        assertThat(new Termination.Signaled(2).describe()).isEqualTo("killed by signal 2");
    }

    @Test
    void aTimeoutGives124AndSaysHowLong() {
        Termination whole = new Termination.TimedOut(Duration.ofSeconds(10));
        assertThat(whole.exitCode()).isEqualTo(124);
        assertThat(whole.describe()).isEqualTo("timed out after 10 s; every process in the sandbox was killed");
    }

    @Test
    void aFractionalTimeoutIsShownWithOneDecimal() {
        assertThat(new Termination.TimedOut(Duration.ofMillis(1500)).describe())
                .isEqualTo("timed out after 1.5 s; every process in the sandbox was killed");
        assertThat(new Termination.TimedOut(Duration.ofMillis(250)).describe())
                .startsWith("timed out after 0.3 s;");
    }

    @Test
    void outOfMemoryGives137AndNamesTheLimitAndTheFix() {
        Termination t = new Termination.OutOfMemory(256);
        assertThat(t.exitCode()).isEqualTo(137);
        assertThat(t.describe()).isEqualTo("killed: out of memory (limit 256 MB; raise it with --memory)");
    }
}
