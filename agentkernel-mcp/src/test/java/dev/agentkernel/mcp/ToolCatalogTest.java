package dev.agentkernel.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The catalog's tools without services: names, schemas, and argument checks that come before any work. */
class ToolCatalogTest {

    static List<ToolDefinition> definitions() {
        List<ToolDefinition> all = new ArrayList<>();
        all.addAll(new TaskTools(null).definitions());
        all.addAll(new SessionTools(null, null, Clock.systemUTC()).definitions());
        all.addAll(new SandboxTools(null, null, null, 1024).definitions());
        all.addAll(new ImageTools(null).definitions());
        all.addAll(new BackgroundTools(null).definitions());
        all.addAll(new PauseTools(null).definitions()); // pause and resume (issue 15)
        all.addAll(new SnapshotTools(null).definitions());
        return all;
    }

    static Map<String, ToolDefinition> byName() {
        return definitions().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(Tool tool) {
        return (Map<String, Object>) tool.inputSchema().get("properties");
    }

    @SuppressWarnings("unchecked")
    static List<String> required(Tool tool) {
        return (List<String>) tool.inputSchema().get("required");
    }

    @Test
    void theNamesAreTheIssuesInOrder() {
        assertThat(definitions()).extracting(ToolDefinition::name).containsExactlyElementsOf(ToolCatalog.NAMES);
        assertThat(new HashSet<>(ToolCatalog.NAMES)).hasSize(32);
        assertThat(ToolCatalog.NAMES).endsWith("sandbox_snapshot", "snapshot_list", "snapshot_restore", "snapshot_delete",
                "sandbox_fork");
    }

    @Test
    void theFiveTaskToolsTakeExactlyTheParametersOfTheProductDocument() {
        Map<String, ToolDefinition> tools = byName();
        assertThat(properties(tools.get("dispatch_background_task").tool())).containsOnlyKeys("task_description", "verbose");
        assertThat(required(tools.get("dispatch_background_task").tool())).containsExactly("task_description");
        assertThat(properties(tools.get("get_background_task_status").tool())).containsOnlyKeys("task_id");
        assertThat(properties(tools.get("wait_for_background_task").tool())).containsOnlyKeys("task_id", "timeout");
        assertThat(properties(tools.get("wait_for_background_task").tool()).get("timeout")).asString().contains("default=60");
        assertThat(properties(tools.get("list_background_tasks").tool())).isEmpty();
        assertThat(properties(tools.get("cancel_background_task").tool())).containsOnlyKeys("task_id");
        assertThat(properties(tools.get("execute_code").tool()))
                .containsOnlyKeys("code", "template", "session_id", "flavor", "timeout", "volumes");
    }

    @Test
    void everySchemaIsAnObjectWithDescribedPropertiesAndRequiredOnesAmongThem() {
        for (ToolDefinition d : definitions()) {
            Tool t = d.tool();
            assertThat(t.description()).as(t.name()).isNotBlank();
            assertThat(t.title()).as(t.name()).isNotBlank();
            assertThat(t.inputSchema()).as(t.name()).containsEntry("type", "object");
            assertThat(properties(t).keySet()).as(t.name()).containsAll(required(t));
            properties(t).forEach((name, p) -> assertThat(((Map<?, ?>) p).containsKey("description")).as(t.name() + "." + name).isTrue());
            assertThat(t.outputSchema()).as(t.name()).containsEntry("type", "object");
            assertThat(t.annotations().readOnlyHint()).as(t.name()).isEqualTo(d.effect() == ToolDefinition.Effect.READS);
        }
    }

    static CallToolResult call(String tool, Map<String, Object> args) {
        return byName().get(tool).call(args);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().getFirst()).text();
    }

    @Test
    void badArgumentsAreErrorResultsBeforeAnyWork() {
        record Case(String tool, Map<String, Object> args, String message) {
        }
        List<Case> cases = List.of(
                new Case("dispatch_background_task", Map.of(), "dispatch_background_task: task_description is required"),
                new Case("dispatch_background_task", Map.of("task_description", "1", "verbose", 1), "verbose must be true or false"),
                new Case("get_background_task_status", Map.of("task_id", 5), "task_id must be a string"),
                new Case("wait_for_background_task", Map.of("task_id", "t", "timeout", 601), "at most 600 seconds"),
                new Case("cancel_background_task", Map.of("id", "t"), "unknown argument 'id'"),
                new Case("list_background_tasks", Map.of("all", true), "it takes no arguments"),
                new Case("execute_code", Map.of("code", "1", "template", "cobol"), "unknown template 'cobol'"),
                new Case("execute_code", Map.of("code", "1", "flavor", "huge"), "unknown flavor 'huge'"),
                new Case("execute_code", Map.of("code", "1", "volumes", "/a:/b"), "volumes must be an array of strings"),
                new Case("stop_session", Map.of(), "session_id is required"),
                new Case("sandbox_create", Map.of("name", "a/b"), "a/b"),
                new Case("sandbox_create", Map.of("name", "ok", "memory_mb", -1), "memory_mb must be a positive whole number"),
                new Case("sandbox_create", Map.of("name", "ok", "volumes", List.of("data:/proc")), "/proc"),
                new Case("sandbox_create", Map.of("name", "ok", "volumes", "data:/d"), "volumes"),
                new Case("sandbox_exec", Map.of("name", "ok"), "command is required"),
                new Case("sandbox_exec", Map.of("name", "ok", "command", List.of("ls"), "workdir", "tmp"), "absolute"),
                new Case("sandbox_run", Map.of("command", List.of("ls"), "env", List.of("=x")), "env"),
                new Case("sandbox_file_read", Map.of("name", "ok", "path", "notes.txt"), "absolute"),
                new Case("sandbox_file_write", Map.of("name", "ok", "path", "/w/x"), "content is required"),
                new Case("sandbox_file_write", Map.of("name", "ok", "path", "/w/x", "content", "%%%", "encoding", "base64"),
                        "not valid base64"),
                new Case("sandbox_file_write", Map.of("name", "ok", "path", "/w/x", "content", "x", "encoding", "utf16"),
                        "encoding must be \"utf8\" or \"base64\""),
                new Case("sandbox_file_write", Map.of("name", "ok", "path", "/w/x", "content", "x".repeat(1025)),
                        "more than the limit of 1024"));
        for (Case c : cases) {
            CallToolResult r = call(c.tool(), c.args());
            assertThat(r.isError()).as("%s %s", c.tool(), c.args()).isTrue();
            assertThat(text(r)).as("%s %s", c.tool(), c.args()).contains(c.message());
            assertThat(r.structuredContent()).as("%s %s", c.tool(), c.args()).isNull();
            assertThat(r.meta()).as("%s %s", c.tool(), c.args()).asString().contains("invalid_request");
        }
    }

    @Test
    void theBackgroundProcessToolsCheckTheirArgumentsBeforeAnyWork() {
        Map<String, ToolDefinition> tools = byName();
        assertThat(properties(tools.get("background_start").tool())).containsOnlyKeys("name", "command", "env", "workdir", "sudo");
        assertThat(required(tools.get("background_start").tool())).containsExactly("name", "command");
        assertThat(properties(tools.get("background_list").tool())).containsOnlyKeys("name");
        assertThat(properties(tools.get("background_logs").tool())).containsOnlyKeys("name", "id", "wait");
        assertThat(properties(tools.get("background_kill").tool())).containsOnlyKeys("name", "id");
        assertThat(tools.get("background_kill").effect()).isEqualTo(ToolDefinition.Effect.DESTROYS);
        assertThat(tools.get("background_logs").tool().outputSchema()).asString().contains("process", "stdout_dropped");
        record Case(String tool, Map<String, Object> args, String message) {
        }
        for (Case c : List.of(
                new Case("background_start", Map.of("name", "ok"), "command is required"),
                new Case("background_start", Map.of("name", "ok", "command", List.of()), "command"),
                new Case("background_start", Map.of("name", "ok", "command", "ls", "workdir", "tmp"), "absolute"),
                new Case("background_start", Map.of("name", "ok", "command", "ls", "env", List.of("NOEQUALS")), "NOEQUALS"),
                new Case("background_start", Map.of("name", "a/b", "command", "ls"), "a/b"),
                new Case("background_list", Map.of(), "name is required"),
                new Case("background_logs", Map.of("name", "ok"), "id is required"),
                new Case("background_logs", Map.of("name", "ok", "id", "x", "wait", 301), "at most 300 seconds"),
                new Case("background_logs", Map.of("name", "ok", "id", "x", "wait", -1), "wait"),
                new Case("background_kill", Map.of("name", "ok", "id", 5), "id must be a string"),
                new Case("background_kill", Map.of("name", "ok", "id", "x", "signal", 9), "unknown argument 'signal'"))) {
            CallToolResult r = call(c.tool(), c.args());
            assertThat(r.isError()).as("%s %s", c.tool(), c.args()).isTrue();
            assertThat(text(r)).as("%s %s", c.tool(), c.args()).contains(c.message());
            assertThat(r.meta()).as("%s %s", c.tool(), c.args()).asString().contains("invalid_request");
        }
    }

    @Test
    void theSnapshotToolsCheckTheirArgumentsBeforeAnyWork() {
        Map<String, ToolDefinition> tools = byName();
        assertThat(properties(tools.get("sandbox_snapshot").tool())).containsOnlyKeys("name", "snapshot");
        assertThat(required(tools.get("sandbox_snapshot").tool())).containsExactly("name");
        assertThat(properties(tools.get("snapshot_list").tool())).isEmpty();
        assertThat(properties(tools.get("snapshot_restore").tool())).containsOnlyKeys("snapshot", "into");
        assertThat(properties(tools.get("snapshot_delete").tool())).containsOnlyKeys("snapshot");
        assertThat(properties(tools.get("sandbox_fork").tool())).containsOnlyKeys("name", "count", "names");
        assertThat(properties(tools.get("sandbox_create").tool())).containsKey("snapshot");
        assertThat(tools.get("snapshot_list").effect()).isEqualTo(ToolDefinition.Effect.READS);
        assertThat(tools.get("snapshot_restore").effect()).isEqualTo(ToolDefinition.Effect.DESTROYS);
        assertThat(tools.get("snapshot_delete").effect()).isEqualTo(ToolDefinition.Effect.DESTROYS);
        assertThat(tools.get("sandbox_fork").tool().outputSchema()).asString().contains("snapshot", "sandboxes");
        assertThat(tools.get("snapshot_list").tool().outputSchema()).asString().contains("snapshots", "image_tag");
        record Case(String tool, Map<String, Object> args, String message) {
        }
        for (Case c : List.of(
                new Case("sandbox_snapshot", Map.of(), "name is required"),
                new Case("sandbox_snapshot", Map.of("name", "a/b"), "a/b"),
                new Case("sandbox_snapshot", Map.of("name", "ok", "snapshot", 5), "snapshot must be a string"),
                new Case("sandbox_snapshot", Map.of("name", "ok", "snapshot", "../x"), "invalid snapshot name '../x'"),
                new Case("snapshot_list", Map.of("all", true), "it takes no arguments"),
                new Case("snapshot_delete", Map.of("snapshot", "a b"), "invalid snapshot name 'a b'"),
                new Case("snapshot_restore", Map.of(), "snapshot is required"),
                new Case("snapshot_restore", Map.of("snapshot", "s", "into", "a/b"), "a/b"),
                new Case("snapshot_delete", Map.of("name", "s"), "unknown argument 'name'"),
                new Case("sandbox_fork", Map.of("name", "ok", "count", 0), "count must be a positive whole number"),
                new Case("sandbox_fork", Map.of("name", "ok", "names", "x"), "names must be an array of strings"),
                new Case("sandbox_fork", Map.of("name", "ok", "names", List.of("a/b")), "a/b"),
                new Case("sandbox_fork", Map.of("name", "ok", "count", 3, "names", List.of("a")), "count is 3 but 1 names"),
                new Case("sandbox_create", Map.of("name", "ok", "image", "alpine", "snapshot", "s"),
                        "give image or snapshot, not both"))) {
            CallToolResult r = call(c.tool(), c.args());
            assertThat(r.isError()).as("%s %s", c.tool(), c.args()).isTrue();
            assertThat(text(r)).as("%s %s", c.tool(), c.args()).contains(c.message());
            assertThat(r.meta()).as("%s %s", c.tool(), c.args()).asString().contains("invalid_request");
        }
    }

    @Test
    void aFailureResultCarriesTheDataAndLeadsWithTheMessage() {
        var data = new dev.agentkernel.api.CommandResult("partial\n", "partial\n", "", 3, null, null);
        CallToolResult r = Results.failed("the command exited with code 3", data);
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).startsWith("the command exited with code 3\n").contains("\"stdout\" : \"partial\\n\"");
        assertThat(r.structuredContent()).isEqualTo(Map.of("output", "partial\n", "stdout", "partial\n", "stderr", "",
                "exit_code", 3));
        CallToolResult ok = Results.ok(data);
        assertThat(ok.isError()).isFalse();
        assertThat(ok.structuredContent()).isEqualTo(r.structuredContent());
    }

    @Test
    void textThatIsNotUtf8IsRecognised() {
        assertThat(SandboxTools.utf8("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8))).contains("héllo");
        assertThat(SandboxTools.utf8(new byte[] {(byte) 0xff, 0x41})).isEmpty();
        assertThat(SandboxTools.utf8(new byte[] {0x41, 0x00})).isEmpty();
    }
}
