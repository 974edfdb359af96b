package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecRequestTest {

    @Test
    void buildsCopiesWithEnvWorkdirAndTerminal() {
        ExecRequest r = ExecRequest.of("ls", "-l").withEnv(Map.of("B", "2", "A", "x=y")).withWorkdir("/tmp").withTerminal(30, 100);
        assertThat(r.argv()).containsExactly("ls", "-l");
        assertThat(r.envEntries()).containsExactly("A=x=y", "B=2");
        assertThat(r.workdir()).contains("/tmp");
        assertThat(r.terminal()).contains(new TerminalSize(30, 100));
        assertThat(r.tty()).isTrue();
        assertThat(ExecRequest.of("ls").tty()).isFalse();
    }

    @Test
    void rejectsBadCommands() {
        assertThatThrownBy(() -> ExecRequest.of()).isInstanceOf(InvalidRequestException.class).hasMessageContaining("no command");
        assertThatThrownBy(() -> ExecRequest.of("")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ExecRequest.of("a\0b")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> ExecRequest.of("ls").withEnv(Map.of("1BAD", "x"))).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ExecRequest.of("ls").withWorkdir("relative")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ExecRequest.of("ls").withTerminal(0, 80)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("0 x 80");
        assertThatThrownBy(() -> new ExecRequest(List.of("ls"), Map.of(), Optional.empty(), Optional.of(new TerminalSize(1, 70000))))
                .isInstanceOf(InvalidRequestException.class);
    }
}
