package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandSpecTest {

    @Test
    void ofKeepsTheArgvAsGivenWithNoEnvDirectoryOrTimeout() {
        CommandSpec spec = CommandSpec.of("sh", "-c", "echo 'a b'; exit 3", "");

        assertThat(spec.argv()).containsExactly("sh", "-c", "echo 'a b'; exit 3", "");
        assertThat(spec.env()).isEmpty();
        assertThat(spec.workdir()).isEmpty();
        assertThat(spec.timeout()).isEmpty();
    }

    @Test
    void anEmptyArgvIsRefusedWithAHint() {
        assertThatThrownBy(() -> new CommandSpec(List.of(), Map.of(), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("no command given")
                .hasMessageContaining("python3");
    }

    @Test
    void anEmptyProgramNameIsRefused() {
        assertThatThrownBy(() -> CommandSpec.of("", "x"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("no command given");
    }

    @Test
    void aNullProgramIsRefusedAsNoCommand() {
        List<String> argv = Arrays.asList((String) null);
        assertThatThrownBy(() -> new CommandSpec(argv, Map.of(), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("no command given");
    }

    @Test
    void aNulByteInAnyArgumentIsRefused() {
        assertThatThrownBy(() -> CommandSpec.of("echo", "a\0b"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("command arguments must be strings without NUL bytes");
        assertThatThrownBy(() -> CommandSpec.of("ec\0ho"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("command arguments must be strings without NUL bytes");
    }

    @Test
    void aNullArgumentIsRefused() {
        List<String> argv = Arrays.asList("echo", null);
        assertThatThrownBy(() -> new CommandSpec(argv, Map.of(), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aRelativeWorkdirIsRefused() {
        assertThatThrownBy(() -> new CommandSpec(List.of("ls"), Map.of(), Optional.of("tmp"), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("working directory 'tmp' must be an absolute path inside the sandbox, e.g. /workspace");
    }

    @Test
    void aWorkdirWithDotDotIsRefused() {
        assertThatThrownBy(() -> new CommandSpec(List.of("ls"), Map.of(), Optional.of("/workspace/../etc"),
                Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("working directory '/workspace/../etc' must not contain '..'");
    }

    @Test
    void anAbsoluteWorkdirIsKept() {
        CommandSpec spec = new CommandSpec(List.of("ls"), Map.of(), Optional.of("/tmp/x"), Optional.empty());
        assertThat(spec.workdir()).contains("/tmp/x");
    }

    @Test
    void aZeroOrNegativeTimeoutIsRefused() {
        CommandSpec spec = CommandSpec.of("true");
        assertThatThrownBy(() -> spec.withTimeout(Duration.ZERO))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("timeout must be positive, got 0 s");
        assertThatThrownBy(() -> spec.withTimeout(Duration.ofSeconds(-3)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("timeout must be positive, got -3 s");
    }

    @Test
    void withTimeoutKeepsEverythingElse() {
        CommandSpec spec = new CommandSpec(List.of("ls", "-l"), Map.of("A", "1"), Optional.of("/tmp"), Optional.empty())
                .withTimeout(Duration.ofMillis(1500));

        assertThat(spec.argv()).containsExactly("ls", "-l");
        assertThat(spec.env()).containsExactly(Map.entry("A", "1"));
        assertThat(spec.workdir()).contains("/tmp");
        assertThat(spec.timeout()).contains(Duration.ofMillis(1500));
    }

    @Test
    void anInvalidEnvironmentNameIsRefused() {
        assertThatThrownBy(() -> new CommandSpec(List.of("ls"), Map.of("1A", "x"), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'1A' is invalid");
    }

    @Test
    void argvAndEnvAreCopiedAndImmutable() {
        List<String> argv = new ArrayList<>(List.of("echo", "one"));
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        CommandSpec spec = new CommandSpec(argv, env, Optional.empty(), Optional.empty());
        argv.add("two");
        env.put("B", "2");

        assertThat(spec.argv()).containsExactly("echo", "one");
        assertThat(spec.env()).containsOnlyKeys("A");
        assertThatThrownBy(() -> spec.argv().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.env().put("C", "3")).isInstanceOf(UnsupportedOperationException.class);
    }
}
