package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.sandbox.PauseSettings;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;

class PauseOptionsTest {

    private static PauseSettings settings(Map<String, String> env, String... args) throws ParseException {
        CommandLine line = DefaultParser.builder().get().parse(new ServeCommand().options(), args);
        return PauseOptions.pausing(line, env);
    }

    @Test
    void byDefaultAccessResumesAndNothingPausesItself() throws ParseException {
        assertThat(settings(Map.of())).isEqualTo(PauseSettings.DEFAULT);
        assertThat(PauseSettings.DEFAULT).isEqualTo(new PauseSettings(true, Optional.empty()));
    }

    @Test
    void flagsWinOverTheEnvironment() throws ParseException {
        Map<String, String> env = Map.of("AGENTKERNEL_IDLE_PAUSE", "600", "AGENTKERNEL_PAUSED_ACCESS", "refuse");
        assertThat(settings(env)).isEqualTo(new PauseSettings(false, Optional.of(Duration.ofMinutes(10))));
        assertThat(settings(env, "--idle-pause", "0", "--paused-access", "resume"))
                .isEqualTo(new PauseSettings(true, Optional.empty()));
        assertThat(settings(Map.of(), "--idle-pause", "30")).isEqualTo(new PauseSettings(true,
                Optional.of(Duration.ofSeconds(30))));
    }

    @Test
    void badValuesNameWhereTheyCameFrom() {
        assertThatThrownBy(() -> settings(Map.of(), "--idle-pause", "soon")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("--idle-pause must be a whole number of seconds from 0 (never) to 604800, got 'soon'");
        assertThatThrownBy(() -> settings(Map.of("AGENTKERNEL_IDLE_PAUSE", "-1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("AGENTKERNEL_IDLE_PAUSE must be");
        assertThatThrownBy(() -> settings(Map.of("AGENTKERNEL_PAUSED_ACCESS", "wait")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("AGENTKERNEL_PAUSED_ACCESS must be 'resume' or 'refuse', got 'wait'");
    }
}
