package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.server.TaskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How serve's task settings come from agentkernel.toml, the environment and flags, in that order of weight. */
class ExecutionOptionsTest {

    @TempDir
    Path dir;

    private static CommandLine parse(String... args) throws Exception {
        return new DefaultParser().parse(new ServeCommand().options(), args);
    }

    @Test
    void theConfigFileInTheWorkingDirectoryIsRead() throws Exception {
        Files.writeString(dir.resolve("agentkernel.toml"), """
                [execution]
                workspace_dir = "ws"
                timeout = 90
                max_retries = 0
                max_workers = 3
                """);
        TaskConfig c = ExecutionOptions.tasks(parse(), Map.of(), dir);
        assertThat(c.workspace()).contains(dir.resolve("ws").toRealPath());
        assertThat(c.toolsDir()).isEmpty();
        assertThat(c.settings().defaultTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.settings().maxRetries()).isZero();
        assertThat(c.settings().maxWorkers()).isEqualTo(3);
    }

    @Test
    void theEnvironmentOverridesTheFileAndFlagsOverrideBoth() throws Exception {
        Files.writeString(dir.resolve("agentkernel.toml"), "[execution]\nworkspace_dir = \"from-file\"\n");
        Path tools = Files.createDirectories(dir.resolve("tools"));
        TaskConfig env = ExecutionOptions.tasks(parse(), Map.of("AGENTKERNEL_WORKSPACE", "from-env",
                "AGENTKERNEL_TOOLS_DIR", tools.toString()), dir);
        assertThat(env.workspace()).contains(dir.resolve("from-env").toRealPath());
        assertThat(env.toolsDir()).contains(tools.toRealPath());
        TaskConfig flag = ExecutionOptions.tasks(parse("--workspace", "from-flag"), Map.of("AGENTKERNEL_WORKSPACE", "x"), dir);
        assertThat(flag.workspace()).contains(dir.resolve("from-flag").toRealPath());
    }

    @Test
    void withNothingConfiguredTasksUseTheDefaults() throws Exception {
        TaskConfig c = ExecutionOptions.tasks(parse(), Map.of(), dir);
        assertThat(c).isEqualTo(TaskConfig.defaults());
    }

    @Test
    void badValuesAreRefusedWithTheirName() throws Exception {
        assertThatThrownBy(() -> ExecutionOptions.tasks(parse("--tools-dir", "missing"), Map.of(), dir))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("tools directory");
        Path named = Files.writeString(dir.resolve("other.toml"), "[execution]\nmax_workers = 0\n");
        assertThatThrownBy(() -> ExecutionOptions.tasks(parse("--config", named.toString()), Map.of(), dir))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("max_workers");
    }

    @Test
    void theLogLevelComesFromTheEnvironment() {
        Level before = Logger.getLogger("").getLevel();
        try {
            LogLevel.apply("DEBUG");
            assertThat(Logger.getLogger("").getLevel()).isEqualTo(Level.FINE);
            LogLevel.apply("error");
            assertThat(Logger.getLogger("").getLevel()).isEqualTo(Level.SEVERE);
            LogLevel.apply(" ");
            assertThat(Logger.getLogger("").getLevel()).isEqualTo(Level.SEVERE);
            assertThatThrownBy(() -> LogLevel.apply("LOUD")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("AGENTKERNEL_LOG_LEVEL");
        } finally {
            Logger.getLogger("").setLevel(before);
        }
    }
}
