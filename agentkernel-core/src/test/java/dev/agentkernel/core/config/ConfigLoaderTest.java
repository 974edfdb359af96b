package dev.agentkernel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    /** The example of the product's documentation, verbatim. */
    private static final String EXAMPLE = """
            [sandbox]
            name = "my-project"
            base_image = "python:3.12-alpine"    # Explicit Docker image

            [agent]
            preferred = "claude"    # claude, gemini, codex, opencode

            [resources]
            vcpus = 2
            memory_mb = 1024

            [security]
            profile = "restrictive"    # permissive, moderate, restrictive
            network = false            # Override: disable network
            """;

    @TempDir
    Path dir;

    @Test
    void theDocumentedExampleLoads() throws IOException {
        ProjectConfig config = ConfigLoader.load(write(EXAMPLE));

        assertThat(config.sandbox().name()).contains("my-project");
        assertThat(config.sandbox().baseImage()).contains("python:3.12-alpine");
        assertThat(config.agent().preferred()).contains(AgentKind.CLAUDE);
        assertThat(config.resources().vcpus()).hasValue(2.0);
        assertThat(config.resources().memoryMb()).hasValue(1024);
        assertThat(config.security().profile()).contains(Profile.RESTRICTIVE);
        assertThat(config.security().network()).contains(false);
    }

    @Test
    void anEmptyFileOrOneWithOnlyCommentsIsTheEmptyConfig() throws IOException {
        assertThat(ConfigLoader.load(write(""))).isEqualTo(ProjectConfig.empty());
        assertThat(ConfigLoader.load(write("# nothing yet\n\n"))).isEqualTo(ProjectConfig.empty());
        assertThat(ConfigLoader.load(write("[sandbox]\n[agent]\n[resources]\n[security]\n")))
                .isEqualTo(ProjectConfig.empty());
    }

    @Test
    void unknownKeysAndSectionsAreIgnored() throws IOException {
        ProjectConfig config = ConfigLoader.load(write("""
                top_level = 1
                [sandbox]
                name = "p"
                colour = "red"
                [future]
                anything = [1, 2, {a = 3}]
                [[plugins]]
                id = "x"
                [security.extra]
                deep = true
                """));
        assertThat(config.sandbox().name()).contains("p");
        assertThat(config.security()).isEqualTo(ProjectConfig.SecuritySection.empty());
    }

    @Test
    void decimalVcpusAndOtherSpellingsAreAccepted() throws IOException {
        ProjectConfig config = ConfigLoader.load(write("""
                resources = { vcpus = 0.5, memory_mb = 16 }
                agent.preferred = "OpenCode"
                [security]
                profile = "Permissive"
                network = true
                """));
        assertThat(config.resources().vcpus()).hasValue(0.5);
        assertThat(config.resources().memoryMb()).hasValue(16);
        assertThat(config.agent().preferred()).contains(AgentKind.OPENCODE);
        assertThat(config.security().profile()).contains(Profile.PERMISSIVE);
        assertThat(config.security().network()).contains(true);
        assertThat(ConfigLoader.load(write("[resources]\nvcpus = 0.01\n")).resources().vcpus()).hasValue(0.01);
        assertThat(ConfigLoader.load(write("[resources]\ndisk_mb = 2048\n")).resources().diskMb()).hasValue(2048);
        assertThat(ConfigLoader.load(write(EXAMPLE)).resources().diskMb()).isEmpty();
        assertThat(ConfigLoader.load(write("\uFEFF[agent]\npreferred = \"codex\"\n")).agent().preferred())
                .contains(AgentKind.CODEX);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            [resources]\\nmemory_mb = "lots"     | [resources] memory_mb must be an integer, got "lots"
            [resources]\\nmemory_mb = 1024.0     | [resources] memory_mb must be an integer, got 1024.0
            [resources]\\nmemory_mb = 15         | [resources] memory_mb must be at least 16 (MiB), e.g. 512, got 15
            [resources]\\ndisk_mb = 0            | [resources] disk_mb must be a positive number of MiB, e.g. 1024, got 0
            [resources]\\ndisk_mb = "1G"         | [resources] disk_mb must be an integer, got "1G"
            [resources]\\nmemory_mb = -1         | [resources] memory_mb must be at least 16 (MiB), e.g. 512, got -1
            [resources]\\nmemory_mb = 99999999999999999999 | [resources] memory_mb must be at most 9223372036854775807, got 99999999999999999999
            [resources]\\nvcpus = "two"          | [resources] vcpus must be a number, got "two"
            [resources]\\nmemory_mb = 1000.0     | [resources] memory_mb must be an integer, got 1000.0
            [resources]\\nmemory_mb = 1e3        | [resources] memory_mb must be an integer, got 1000.0
            [resources]\\nmemory_mb = 2.5e30     | [resources] memory_mb must be an integer, got 2.5E+30
            [resources]\\nvcpus = 1e-9           | [resources] vcpus must be at least 0.01 cores, e.g. 0.5 or 2, got 1E-9
            [resources]\\nvcpus = -inf           | [resources] vcpus must be a finite number of cores, e.g. 0.5 or 2, got -inf
            [resources]\\nvcpus = 1e400          | [resources] vcpus must be a finite number of cores, e.g. 0.5 or 2, got 1E+400
            [resources]\\nvcpus = true           | [resources] vcpus must be a number, got true
            [resources]\\nvcpus = 0              | [resources] vcpus must be at least 0.01 cores, e.g. 0.5 or 2, got 0
            [resources]\\nvcpus = 0.001          | [resources] vcpus must be at least 0.01 cores, e.g. 0.5 or 2, got 0.001
            [resources]\\nvcpus = inf            | [resources] vcpus must be a finite number of cores, e.g. 0.5 or 2, got inf
            [resources]\\nvcpus = nan            | [resources] vcpus must be a finite number of cores, e.g. 0.5 or 2, got nan
            [security]\\nprofile = "paranoid"    | [security] profile must be one of permissive, moderate, restrictive, got "paranoid"
            [security]\\nprofile = 3             | [security] profile must be a string in double quotes, got 3
            [security]\\nnetwork = "no"          | [security] network must be true or false, got "no"
            [security]\\nnetwork = 0             | [security] network must be true or false, got 0
            [agent]\\npreferred = "gpt"          | [agent] preferred must be one of claude, gemini, codex, opencode, got "gpt"
            [agent]\\npreferred = ["claude"]     | [agent] preferred must be a string in double quotes, got an array
            [sandbox]\\nname = ""                | [sandbox] name must not be empty, got ""
            [sandbox]\\nname = {first = "a"}     | [sandbox] name must be a string in double quotes, got a table
            [sandbox]\\nbase_image = 1979-05-27  | [sandbox] base_image must be a string in double quotes, got a date/time
            [sandbox]\\nbase_image = "python 3"  | [sandbox] base_image must be an image name without spaces, e.g. "python:3.12-alpine", got "python 3"
            sandbox = "x"                        | sandbox must be a table, written [sandbox] on a line of its own, got "x"
            [[security]]\\nprofile = "moderate"  | security must be a table, written [security] on a line of its own, got an array
            """)
    void badValuesGiveOneLineNamingFileSectionKeyAndValue(String toml, String expected) throws IOException {
        Path file = write(toml.replace("\\n", "\n"));
        assertMessage(file).isEqualTo(file + ": " + expected);
    }

    @Test
    void shownValuesAreEscapedAndShortened() throws IOException {
        Path file = write("[agent]\npreferred = \"line\\nnext \\\"quoted\\\" " + "x".repeat(100) + "\"\n");
        assertMessage(file).startsWith(file + ": [agent] preferred must be one of claude, gemini, codex, opencode, "
                + "got \"line\\nnext \\\"quoted\\\" xxx").endsWith("xxx...\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            [sandbox]\\nname = \\n                | at line 2: newline not permitted here
            [sandbox\\n                           | at line 1: newline not permitted here
            \\n\\nfoo bar\\n                      | at line 3: unknown token
            [resources]\\nvcpus = 1.0.0           | at line 2: more data after value has already ended. Invalid value preceding this position?
            [resources]\\nmemory_mb = 0512        | at line 2: zero-prefixed ints are not valid. If you want an octal literal, use the prefix '0o'
            [a]\\nx = 1\\n[a]\\n                  | at line 3: table redefined
            """)
    void invalidTomlGivesTheLineAndTheProblem(String toml, String expected) throws IOException {
        Path file = write(toml.replace("\\n", "\n"));
        assertMessage(file).isEqualTo("invalid TOML in " + file + " " + expected);
    }

    @Test
    void parserProblemsNeverShowJavaOrJacksonNames() throws IOException {
        String[] documents = {
                "a = " + "[".repeat(2000) + "]".repeat(2000),
                "x = 9999999999999999999999999999.5e99999999999",
                "[sandbox]\nbuilt = 1979-13-45\n",
        };
        for (String document : documents) {
            Path file = write(document);
            assertMessage(file).startsWith("invalid TOML in " + file)
                    .doesNotContain("jackson", "java.", "`", "Exception", "StreamReadConstraints");
        }
        Path deep = write(documents[0]);
        assertMessage(deep).isEqualTo("invalid TOML in " + deep
                + ": document nesting depth (1001) exceeds the maximum allowed (1000)");
        Path date = write(documents[2]);
        assertMessage(date).contains("1979-13-45");
    }

    @Test
    void aMissingFileIsReported() {
        Path missing = dir.resolve("agentkernel.toml");
        assertMessage(missing).isEqualTo("cannot read config file " + missing + ": no such file");
        Path inMissingDir = dir.resolve("nope").resolve("agentkernel.toml");
        assertMessage(inMissingDir).isEqualTo("cannot read config file " + inMissingDir + ": no such file");
    }

    @Test
    void aDirectoryIsReported() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("conf"));
        assertMessage(sub).isEqualTo("cannot read config file " + sub + ": is a directory, not a file");
    }

    @Test
    void anUnreadableFileIsReported() throws IOException {
        Path file = write(EXAMPLE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "permissions are not enforced for this user (root)");
        assertMessage(file).isEqualTo("cannot read config file " + file + ": permission denied");
    }

    @Test
    void readFailuresAreDescribedInAFewWords() {
        assertThat(ConfigLoader.reason(new NoSuchFileException("/x"))).isEqualTo("no such file");
        assertThat(ConfigLoader.reason(new AccessDeniedException("/x"))).isEqualTo("permission denied");
        assertThat(ConfigLoader.reason(new FileSystemException("/x", null, "Too many levels of symbolic links")))
                .isEqualTo("too many levels of symbolic links");
        assertThat(ConfigLoader.reason(new IOException("Input/output error\nmore"))).isEqualTo("input/output error");
        assertThat(ConfigLoader.reason(new IOException())).isEqualTo("input/output error");
    }

    @Test
    void aFileThatIsNotUtf8IsReported() throws IOException {
        Path file = dir.resolve("latin1.toml");
        Files.write(file, new byte[] {'n', 'a', 'm', 'e', '=', '"', (byte) 0xE9, '"'});
        assertMessage(file).isEqualTo("invalid TOML in " + file + ": the file is not UTF-8 text; save it as UTF-8");
    }

    @Test
    void aHugeFileIsRefused() throws IOException {
        Path file = write("# " + "x".repeat(ConfigLoader.MAX_BYTES) + "\n");
        assertMessage(file).startsWith("config file " + file + " is larger than 1024 KiB");
    }

    @Test
    void theConfigOfAProjectIsFoundInItsDirectoryOnly() throws IOException {
        assertThat(ConfigLoader.findInProject(dir)).isEmpty();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = Files.writeString(dir.resolve(ConfigLoader.FILE_NAME), EXAMPLE);
        assertThat(ConfigLoader.findInProject(dir)).contains(file);
        assertThat(ConfigLoader.findInProject(sub)).as("parents are not searched").isEmpty();
        Files.createDirectory(sub.resolve(ConfigLoader.FILE_NAME));
        assertThat(ConfigLoader.findInProject(sub)).as("a directory is not a config file").isEmpty();
        assertThat(ConfigLoader.findInProject(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void sectionsRejectValuesTheLoaderWouldReject() {
        assertThatThrownBy(() -> new ProjectConfig.ResourcesSection(java.util.OptionalDouble.of(0.001),
                java.util.OptionalLong.empty())).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> new ProjectConfig.ResourcesSection(java.util.OptionalDouble.empty(),
                java.util.OptionalLong.of(8))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("minimum of 16");
        assertThatThrownBy(() -> new ProjectConfig.SandboxSection(Optional.of(" "), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> AgentKind.parse("gpt")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("unknown agent 'gpt': use one of claude, gemini, codex, opencode");
    }

    @Test
    void theExecutionSectionConfiguresTasksRelativeToTheFile() throws IOException {
        Path file = write("""
                [execution]
                workspace_dir = "work"
                tools_dir = "/opt/tools"
                timeout = 120.5
                max_retries = 3
                max_workers = 8
                """);
        ProjectConfig.ExecutionSection e = ConfigLoader.load(file).execution();
        assertThat(e.workspaceDir()).contains(dir.resolve("work"));
        assertThat(e.toolsDir()).contains(Path.of("/opt/tools"));
        assertThat(e.timeout()).contains(java.time.Duration.ofMillis(120_500));
        assertThat(e.maxRetries()).hasValue(3);
        assertThat(e.maxWorkers()).hasValue(8);
        assertThat(ConfigLoader.load(write("")).execution()).isEqualTo(ProjectConfig.ExecutionSection.empty());
        assertMessage(write("[execution]\nmax_retries = 11\n")).contains("[execution] max_retries must be between 0 and 10");
        assertMessage(write("[execution]\ntimeout = -1\n")).contains("[execution] timeout must be a positive number");
        assertMessage(write("[execution]\nmax_workers = 0\n")).contains("max_workers must be between 1 and 1000");
        assertMessage(write("[execution]\nworkspace_dir = 3\n")).contains("workspace_dir must be a string");
    }

    @Test
    void theRetentionSectionSaysHowLongTheDaemonKeepsItsRecords() throws IOException {
        ProjectConfig.RetentionSection r = ConfigLoader.load(write("""
                [retention]
                audit_days = 14
                audit_max_events = 5000
                task_days = 0.5
                """)).retention();
        assertThat(r.auditDays()).hasValue(14);
        assertThat(r.auditMaxEvents()).hasValue(5000);
        assertThat(r.taskDays()).hasValue(0.5);
        assertThat(ConfigLoader.load(write("")).retention()).isEqualTo(ProjectConfig.RetentionSection.empty());
        assertMessage(write("[retention]\naudit_days = 0\n")).contains("[retention] audit_days must be a positive number of days");
        assertMessage(write("[retention]\naudit_max_events = 0\n")).contains("audit_max_events must be at least 1");
        assertMessage(write("[retention]\ntask_days = -2\n")).contains("task_days must be a positive number of days");
    }

    private Path write(String toml) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "agentkernel", ".toml"), toml);
    }

    private static AbstractStringAssert<?> assertMessage(Path file) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(file));
        assertThat(thrown).isInstanceOf(InvalidRequestException.class);
        return assertThat(thrown.getMessage()).doesNotContain("\n", "\r");
    }
}
