package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.client.AuditEvent;
import dev.agentkernel.client.Profile;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.client.ServerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tables and lines the daemon commands print, and the agents table. */
class FormattingTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static SandboxInfo box(String name, String status, double cpus, long memory, Optional<Profile> profile) {
        return new SandboxInfo(name, status, "bwrap", Optional.empty(), cpus, memory, profile, true,
                Optional.of(Instant.parse("2026-01-30T12:00:00Z")), Optional.empty());
    }

    @Test
    void listIsATableWithAlignedColumns() {
        SandboxInfo web = box("web", "running", 1, 512, Optional.of(Profile.MODERATE));
        web = new SandboxInfo(web.name(), web.status(), web.backend(), web.image(), web.vcpus(), web.memoryMb(),
                web.profile(), web.network(), web.createdAt(), web.dir(), OptionalLong.of(1024), OptionalLong.of(12));
        SandboxInfo stopped = box("stopped-one", "stopped", 2, 256, Optional.of(Profile.RESTRICTIVE));
        stopped = new SandboxInfo(stopped.name(), stopped.status(), stopped.backend(), stopped.image(), stopped.vcpus(),
                stopped.memoryMb(), stopped.profile(), stopped.network(), stopped.createdAt(), stopped.dir(),
                OptionalLong.of(256), OptionalLong.empty());
        List<String> lines = ListCommand.table(List.of(web, stopped,
                box("a-long-name", "stopped", 0.5, 0, Optional.empty())), UTC);
        assertThat(lines).containsExactly(
                "NAME         STATUS   BACKEND  PROFILE      MEMORY  CPUS  DISK        CREATED",
                "web          running  bwrap    moderate     512 MB  1     12/1024 MB  2026-01-30 12:00:00",
                "stopped-one  stopped  bwrap    restrictive  256 MB  2     256 MB      2026-01-30 12:00:00",
                "a-long-name  stopped  bwrap    -            -       0.5   unlimited   2026-01-30 12:00:00");
        assertThat(ListCommand.table(List.of(), UTC))
                .containsExactly("NAME  STATUS  BACKEND  PROFILE  MEMORY  CPUS  DISK  CREATED");
    }

    @Test
    void listJsonIsTheDaemonsShape() throws Exception {
        SandboxInfo info = new SandboxInfo("p", "running", "bwrap", Optional.of("python:3.12"), 2, 1024,
                Optional.of(Profile.RESTRICTIVE), false, Optional.of(Instant.parse("2026-01-30T12:00:00Z")),
                Optional.of("/home/me/p"));
        assertThat(JSON.readTree(JSON.writeValueAsString(ListCommand.json(List.of(info))))).isEqualTo(JSON.readTree("""
                [{"name":"p","status":"running","backend":"bwrap","image":"python:3.12","profile":"restrictive",
                  "memory_mb":1024,"vcpus":2,"disk_mb":null,"network":false,"created_at":"2026-01-30T12:00:00Z",
                  "dir":"/home/me/p"}]"""));
    }

    @Test
    void createDescribesWhatItGot() {
        assertThat(CreateCommand.describe(box("w", "running", 0.5, 256, Optional.of(Profile.MODERATE))))
                .isEqualTo("running, backend bwrap, profile moderate, memory 256 MB, cpus 0.5");
    }

    @Test
    void auditIsATableWithDetailsAsKeyValuePairs() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("command", "sh -c echo hi");
        details.put("exit_code", 3);
        details.put("argv", List.of("a", "b"));
        details.put("empty", "");
        List<String> lines = AuditCommand.table(List.of(
                new AuditEvent(Instant.parse("2026-01-30T12:00:01.5Z"), "command_executed", Optional.of("web"), details),
                new AuditEvent(Instant.parse("2026-01-30T12:00:02Z"), "daemon_started", Optional.empty(), Map.of())), UTC);
        assertThat(lines).containsExactly(
                "TIME                 EVENT             SANDBOX  DETAILS",
                "2026-01-30 12:00:01  command_executed  web      command=\"sh -c echo hi\" exit_code=3 argv=[\"a\",\"b\"] empty=\"\"",
                "2026-01-30 12:00:02  daemon_started    -");
    }

    @Test
    void auditJsonIsOneObjectPerEventAsTheDaemonSendsIt() throws Exception {
        AuditEvent e = new AuditEvent(Instant.parse("2026-01-30T12:00:01.5Z"), "file_written", Optional.of("web"),
                Map.of("path", "/tmp/x"));
        assertThat(JSON.writeValueAsString(AuditCommand.json(e))).isEqualTo(
                "{\"timestamp\":\"2026-01-30T12:00:01.500Z\",\"event\":\"file_written\",\"sandbox\":\"web\",\"path\":\"/tmp/x\"}");
    }

    @Test
    void statusShowsTheDaemonAndASummaryOfItsSandboxes() {
        ServerStatus status = new ServerStatus("1.2.3", Duration.ofSeconds(306), "bwrap", new ServerStatus.Runs(1, 32),
                new ServerStatus.Pool(true, 4, 10, 2), new ServerStatus.SandboxCounts(3, 2, 1));
        List<SandboxInfo> boxes = List.of(box("a", "running", 1, 512, Optional.empty()),
                box("b", "running", 1, 512, Optional.empty()), box("c", "stopped", 1, 512, Optional.empty()));
        assertThat(StatusCommand.lines(new DaemonEndpoint("http://127.0.0.1:18888", "default", Optional.empty()),
                status, boxes)).containsExactly(
                "agentkernel: daemon is running at http://127.0.0.1:18888",
                "  found via  the default address",
                "  version    1.2.3",
                "  uptime     5m 06s",
                "  backend    bwrap",
                "  runs       1 running (max 32)",
                "  warm pool  enabled, 4 ready per image and profile (served 10, missed 2)",
                "  sandboxes  3: 2 running (a, b), 1 stopped (c)");
        assertThat(StatusCommand.summary(List.of())).isEqualTo("none");
        List<SandboxInfo> many = java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> box("s" + i, "running", 1, 1, Optional.empty())).toList();
        assertThat(StatusCommand.summary(many)).isEqualTo("7: 7 running (s0, s1, s2, s3, s4 and 2 more), 0 stopped");
        // pause and resume (issue 15): a paused sandbox is neither running nor stopped
        assertThat(StatusCommand.summary(List.of(box("a", "running", 1, 1, Optional.empty()),
                box("p", "paused", 1, 1, Optional.empty()), box("c", "stopped", 1, 1, Optional.empty()))))
                .isEqualTo("3: 1 running (a), 1 paused (p), 1 stopped (c)");
    }

    @Test
    void agentsIsTheTableOfTheSpecification() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String program : List.of("claude", "codex", "opencode")) {
            Files.createFile(bin.resolve(program), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        // not executable: not installed
        Files.createFile(bin.resolve("gemini"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        Map<String, String> env = Map.of("PATH", "/nonexistent:" + bin, "ANTHROPIC_API_KEY", "sk-ant", "OPENAI_API_KEY", "sk",
                "GOOGLE_API_KEY", " ");
        // the columns of the specification, then whether each uses AgentKernel's MCP server
        assertThat(AgentsCommand.lines(env, dir)).containsExactly(
                "AGENT           STATUS          API KEY   MCP",
                "-------------------------------------------------------",
                "Claude Code     installed       set       no",
                "Gemini CLI      not installed   missing   no",
                "Codex           installed       set       no",
                "OpenCode        installed       set       no");
    }

    @Test
    void eachAgentsKeysCount() {
        Map<String, String> none = Map.of("PATH", dir.toString());
        assertThat(AgentsCommand.lines(none, dir).subList(2, 6)).allMatch(l -> l.endsWith("not installed   missing   no"));
        assertThat(AgentsCommand.lines(Map.of("GEMINI_API_KEY", "g"), dir).get(3)).contains(" set ");
        assertThat(AgentsCommand.lines(Map.of("GOOGLE_API_KEY", "g"), dir).get(3)).contains(" set ");
        assertThat(AgentsCommand.lines(Map.of("OPENAI_API_KEY", "o"), dir).get(5)).as("OpenCode with an OpenAI key").contains(" set ");
        assertThat(AgentsCommand.lines(Map.of("OPENAI_API_KEY", "o"), dir).get(2)).as("Claude Code needs Anthropic's").contains(" missing ");
    }

    @Test
    void numbersAndTimes() {
        assertThat(Tables.number(2)).isEqualTo("2");
        assertThat(Tables.number(0.25)).isEqualTo("0.25");
        assertThat(Tables.time(Instant.parse("2026-01-30T12:00:00.999Z"), ZoneId.of("Europe/Berlin"))).isEqualTo("2026-01-30 13:00:00");
    }
}
