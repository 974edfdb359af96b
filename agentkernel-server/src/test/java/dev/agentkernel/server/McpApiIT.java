package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.mcp.AgentKernelMcp;
import dev.agentkernel.mcp.ToolCatalog;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MCP server at {@code /mcp} through the official MCP Java SDK's client over the Streamable
 * HTTP transport, against a real daemon with real sandboxes: the tool list (names, schemas,
 * required fields), every tool's happy path, error results (the user's code failing, unknown
 * sandboxes and sessions, bad arguments), the transport's answers to malformed use, and the API key.
 */
class McpApiIT {

    @RegisterExtension
    static final DaemonHome HOME = new DaemonHome("ak-mcp-it-");
    static ServerFixture fx;
    static McpSyncClient client;

    @BeforeAll
    static void start() throws IOException {
        Path tools = HOME.createDirectories("tools");
        Files.writeString(tools.resolve("finance.py"), "\"\"\"Finance helpers.\"\"\"\n\n"
                + "def average(xs):\n    \"\"\"The mean of xs.\"\"\"\n    return sum(xs) / len(xs)\n");
        fx = HOME.start(8, List.of(), 0,
                c -> c.withTasks(TaskConfig.defaults().withToolsDir(tools)));
        client = client(fx.baseUrl(), null);
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    /** An initialized client of {@code baseUrl}/mcp, sending {@code key} as a bearer token when given. */
    static McpSyncClient client(String baseUrl, String key) {
        HttpClientStreamableHttpTransport.Builder transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp").connectTimeout(Duration.ofSeconds(5));
        if (key != null) {
            transport.requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key));
        }
        McpSyncClient c = McpClient.sync(transport.build()).requestTimeout(Duration.ofMinutes(2))
                .initializationTimeout(Duration.ofSeconds(20)).build();
        c.initialize();
        return c;
    }

    static CallToolResult call(String tool, Map<String, Object> arguments) {
        return client.callTool(new CallToolRequest(tool, arguments));
    }

    static Map<String, Object> ok(String tool, Map<String, Object> arguments) {
        CallToolResult r = call(tool, arguments);
        assertThat(r.isError()).as("%s: %s", tool, text(r)).isFalse();
        return structured(r);
    }

    /**
     * The code of a tool error: in {@code _meta}, and no structured content (it would not match the
     * tool's output schema, which the official TypeScript client checks, errors included).
     */
    @SuppressWarnings("unchecked")
    static String errorCode(CallToolResult r) {
        assertThat(r.isError()).as("an error result: %s", text(r)).isTrue();
        assertThat(r.structuredContent()).as("structured content of an error: %s", text(r)).isNull();
        assertThat(r.meta()).as("_meta of %s", text(r)).containsKey(dev.agentkernel.mcp.ToolErrors.META_KEY);
        return String.valueOf(((Map<String, Object>) r.meta().get(dev.agentkernel.mcp.ToolErrors.META_KEY)).get("code"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(CallToolResult r) {
        assertThat(r.structuredContent()).as("structured content of %s", text(r)).isInstanceOf(Map.class);
        return (Map<String, Object>) r.structuredContent();
    }

    static String text(CallToolResult r) {
        return r.content().stream().filter(TextContent.class::isInstance).map(c -> ((TextContent) c).text())
                .collect(Collectors.joining("\n"));
    }

    static Map<String, Object> args(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    // ---- tool list ----------------------------------------------------------------------------

    @Test
    void listsEveryToolWithItsSchema() {
        var init = client.getCurrentInitializationResult();
        assertThat(init.serverInfo().name()).isEqualTo(AgentKernelMcp.SERVER_NAME);
        assertThat(init.capabilities().tools()).isNotNull();
        List<Tool> tools = client.listTools().tools();
        assertThat(tools).extracting(Tool::name).containsExactlyElementsOf(ToolCatalog.NAMES);
        assertThat(tools).extracting(Tool::name).contains("dispatch_background_task", "get_background_task_status",
                "wait_for_background_task", "list_background_tasks", "cancel_background_task", "execute_task",
                "execute_code", "list_sessions", "stop_session", "search_tools", "sandbox_run", "sandbox_create",
                "sandbox_exec", "sandbox_list", "sandbox_remove", "sandbox_start", "sandbox_stop",
                "sandbox_file_read", "sandbox_file_write", "sandbox_snapshot", "snapshot_list", "snapshot_restore",
                "snapshot_delete", "sandbox_fork");
        Map<String, Tool> byName = tools.stream().collect(Collectors.toMap(Tool::name, Function.identity()));
        for (Tool t : tools) {
            assertThat(t.description()).as(t.name()).isNotBlank();
            assertThat(t.inputSchema()).as(t.name()).containsEntry("type", "object");
            assertThat(t.outputSchema()).as(t.name()).containsEntry("type", "object");
        }
        assertSchema(byName.get("dispatch_background_task"), List.of("task_description", "verbose"), List.of("task_description"));
        assertThat(properties(byName.get("dispatch_background_task")).get("verbose"))
                .asString().contains("boolean");
        assertSchema(byName.get("get_background_task_status"), List.of("task_id"), List.of("task_id"));
        assertSchema(byName.get("wait_for_background_task"), List.of("task_id", "timeout"), List.of("task_id"));
        assertThat(properties(byName.get("wait_for_background_task")).get("timeout"))
                .asString().contains("number").contains("60");
        assertSchema(byName.get("list_background_tasks"), List.of(), List.of());
        assertSchema(byName.get("cancel_background_task"), List.of("task_id"), List.of("task_id"));
        assertSchema(byName.get("execute_code"), List.of("code", "template", "session_id", "flavor", "timeout", "volumes"),
                List.of("code"));
        assertSchema(byName.get("execute_task"), List.of("task_description", "template", "timeout", "required_tools"),
                List.of("task_description"));
        assertSchema(byName.get("stop_session"), List.of("session_id"), List.of("session_id"));
        assertSchema(byName.get("sandbox_exec"), List.of("name", "command", "env", "workdir", "timeout", "sudo"),
                List.of("name", "command"));
        assertSchema(byName.get("sandbox_file_write"), List.of("name", "path", "content", "encoding"),
                List.of("name", "path", "content"));
        assertThat(byName.get("sandbox_list").annotations().readOnlyHint()).isTrue();
        assertThat(byName.get("sandbox_remove").annotations().destructiveHint()).isTrue();
    }

    @SuppressWarnings("unchecked")
    static void assertSchema(Tool tool, List<String> properties, List<String> required) {
        assertThat(properties(tool)).as(tool.name()).containsOnlyKeys(properties);
        assertThat((List<Object>) tool.inputSchema().getOrDefault("required", List.of()))
                .as(tool.name()).containsExactlyInAnyOrderElementsOf(List.copyOf(required));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(Tool tool) {
        return (Map<String, Object>) tool.inputSchema().getOrDefault("properties", Map.of());
    }

    // ---- background tasks ----------------------------------------------------------------------

    @Test
    void backgroundTasksAreDispatchedWaitedForListedAndCancelled() {
        Map<String, Object> dispatched = ok("dispatch_background_task", args("task_description", "print(6 * 7)", "verbose", true));
        assertThat(dispatched).containsOnlyKeys("task_id", "status").containsEntry("status", "running");
        String id = (String) dispatched.get("task_id");

        Map<String, Object> done = ok("wait_for_background_task", args("task_id", id, "timeout", 60));
        assertThat(done).containsOnlyKeys("task_id", "status", "output", "error")
                .containsEntry("task_id", id).containsEntry("status", "completed");
        assertThat((String) done.get("output")).as("verbose: the output ends with notes on the attempt").startsWith("42\n");
        assertThat(done.get("error")).isNull();
        assertThat(ok("get_background_task_status", args("task_id", id))).containsEntry("status", "completed");

        Map<String, Object> listed = ok("list_background_tasks", Map.of());
        assertThat(listed).containsKey("tasks");
        assertThat(listed.get("tasks")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKey(id);

        String slow = (String) ok("dispatch_background_task", args("task_description", "import time\ntime.sleep(300)"))
                .get("task_id");
        assertThat(ok("wait_for_background_task", args("task_id", slow, "timeout", 0.5))).containsEntry("status", "running");
        Map<String, Object> cancelled = ok("cancel_background_task", args("task_id", slow));
        assertThat(cancelled).containsOnlyKeys("success", "message").containsEntry("success", true);
        assertThat(ok("get_background_task_status", args("task_id", slow))).containsEntry("status", "cancelled");
        assertThat(ok("cancel_background_task", args("task_id", slow))).containsEntry("success", false);
    }

    @Test
    void aFailedBackgroundTaskIsReportedNotAnError() {
        String id = (String) ok("dispatch_background_task", args("task_description", "raise ValueError('bad input')"))
                .get("task_id");
        Map<String, Object> done = ok("wait_for_background_task", args("task_id", id));
        assertThat(done).containsEntry("status", "failed");
        assertThat((String) done.get("error")).contains("ValueError");
    }

    @Test
    void executeTaskRunsToItsEndAndReportsFailureAsAnErrorResult() {
        Map<String, Object> done = ok("execute_task", args("task_description",
                "import sys\nsys.path.insert(0, '/tools')\nimport finance\nprint(finance.average([1, 2, 3]))",
                "required_tools", Map.of("finance", List.of("average"))));
        assertThat(done).containsEntry("status", "completed").containsEntry("output", "2.0\n");

        assertThat(ok("execute_task", args("task_description", "echo from bash", "template", "bash")))
                .containsEntry("output", "from bash\n");

        CallToolResult failed = call("execute_task", args("task_description", "print('partial')\n1 / 0"));
        assertThat(failed.isError()).isTrue();
        assertThat(text(failed)).contains("failed").contains("ZeroDivisionError");
        assertThat(structured(failed)).containsEntry("status", "failed").containsEntry("output", "partial\n");
    }

    // ---- code sessions and tools ---------------------------------------------------------------

    @Test
    void codeSessionsKeepStateAndReportRaisingCodeAsAnErrorResult() {
        Map<String, Object> first = ok("execute_code", args("code", "x = 41", "template", "python"));
        String session = (String) first.get("session_id");
        assertThat(first).containsEntry("session_created", true).containsEntry("success", true);
        Map<String, Object> second = ok("execute_code", args("code", "x + 1", "session_id", session, "timeout", 30));
        assertThat(second).containsEntry("stdout", "42\n").containsEntry("session_created", false);

        CallToolResult raised = call("execute_code", args("code", "1 / 0", "session_id", session));
        assertThat(raised.isError()).isTrue();
        assertThat(text(raised)).startsWith("ZeroDivisionError: division by zero").contains(session);
        assertThat(structured(raised)).containsEntry("session_id", session).containsEntry("success", false);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sessions = (List<Map<String, Object>>) ok("list_sessions", Map.of()).get("sessions");
        assertThat(sessions).extracting(s -> s.get("session_id")).contains(session);

        assertThat(ok("stop_session", args("session_id", session))).containsEntry("deleted", true);
        CallToolResult gone = call("execute_code", args("code", "x", "session_id", session));
        assertThat(gone.isError()).isTrue();
        assertThat(errorCode(gone)).isEqualTo("session_not_found");
        assertThat(text(gone)).contains(session);
    }

    @Test
    void searchToolsFindsTheLibraries() {
        Map<String, Object> found = ok("search_tools", args("query", "mean"));
        assertThat(found.get("libraries")).asString().contains("finance").contains("average");
        assertThat(ok("search_tools", Map.of()).get("libraries")).asString().contains("finance");
        assertThat(ok("search_tools", args("query", "no-such-thing-anywhere")).get("libraries")).asList().isEmpty();
    }

    // ---- sandboxes ------------------------------------------------------------------------------

    @Test
    void sandboxRunReturnsOutputAndFailsAsAnErrorResult() {
        Map<String, Object> ran = ok("sandbox_run", args("command", List.of("python3", "-c", "print(6 * 7)")));
        assertThat(ran).containsEntry("stdout", "42\n").containsEntry("exit_code", 0).containsKey("sandbox");
        assertThat(ok("sandbox_run", args("command", "echo one; echo two | tr a-z A-Z"))).containsEntry("stdout", "one\nTWO\n");

        assertThat(ok("sandbox_run", args("command", List.of("id", "-u")))).containsEntry("stdout", "1000\n");
        assertThat(ok("sandbox_run", args("command", List.of("id", "-u"), "sudo", true))).containsEntry("stdout", "0\n");

        CallToolResult failed = call("sandbox_run", args("command", "echo oops >&2; exit 3"));
        assertThat(failed.isError()).isTrue();
        assertThat(text(failed)).startsWith("the command exited with code 3");
        assertThat(structured(failed)).containsEntry("exit_code", 3).containsEntry("stderr", "oops\n");
    }

    /** sandbox_run under a network policy: its DNS goes to AgentKernel's resolver, which refuses a name not allowed. */
    @Test
    void sandboxRunTakesANetworkPolicy() {
        String query = dev.agentkernel.testing.DnsProbe.query("10.0.2.3", "deb.debian.org");
        Map<String, Object> ran = ok("sandbox_run", args("command", List.of("python3", "-c", query), "allow_domains",
                List.of("allowed.example")));
        assertThat(ran).as("REFUSED by the policy's resolver").containsEntry("stdout", "rcode 5\n");
        assertInvalid("sandbox_run", args("command", List.of("true"), "allow_domains", List.of("exa mple.com")),
                "allow_domains");
        assertInvalid("sandbox_create", args("name", "policed", "profile", "restrictive", "deny_domains",
                List.of("evil.example")), "restrictive");
    }

    @Test
    void persistentSandboxesAreManagedThroughTheirWholeLife() {
        String name = "mcp-it-" + (System.nanoTime() % 100_000);
        Map<String, Object> created = ok("sandbox_create", args("name", name, "memory_mb", 256));
        assertThat(created).containsEntry("name", name).containsEntry("status", "running").containsEntry("memory_mb", 256);
        assertThat(ok("sandbox_list", Map.of()).get("sandboxes")).asString().contains(name);

        assertThat(ok("sandbox_exec", args("name", name, "command", List.of("id", "-u"), "sudo", true)))
                .containsEntry("stdout", "0\n");
        Map<String, Object> wrote = ok("sandbox_file_write", args("name", name, "path", "/workspace/hello.txt",
                "content", "hello from MCP\n"));
        assertThat(wrote).containsEntry("bytes_written", 15);
        assertThat(ok("sandbox_exec", args("name", name, "command", List.of("cat", "/workspace/hello.txt"))))
                .containsEntry("stdout", "hello from MCP\n");
        ok("sandbox_file_write", args("name", name, "path", "/workspace/bin.dat", "content", "AAEC/w==", "encoding", "base64"));
        assertThat(ok("sandbox_file_read", args("name", name, "path", "/workspace/bin.dat")))
                .containsEntry("encoding", "base64").containsEntry("content", "AAEC/w==").containsEntry("size", 4);
        ok("sandbox_exec", args("name", name, "command", "cd /workspace && echo made > made.txt", "workdir", "/tmp"));
        assertThat(ok("sandbox_file_read", args("name", name, "path", "/workspace/made.txt")))
                .containsEntry("content", "made\n").containsEntry("encoding", "utf8");

        CallToolResult failed = call("sandbox_exec", args("name", name, "command", List.of("sh", "-c", "exit 5")));
        assertThat(failed.isError()).isTrue();
        assertThat(structured(failed)).containsEntry("exit_code", 5);

        // ---- pause and resume (issue 15) ----
        assertThat(ok("sandbox_pause", args("name", name))).containsEntry("status", "paused");
        assertThat(ok("sandbox_resume", args("name", name))).containsEntry("status", "running");
        assertThat(ok("sandbox_pause", args("name", name))).containsEntry("status", "paused");

        assertThat(ok("sandbox_stop", args("name", name))).containsEntry("status", "stopped");
        CallToolResult stopped = call("sandbox_exec", args("name", name, "command", List.of("true")));
        assertThat(stopped.isError()).isTrue();
        assertThat(errorCode(stopped)).isEqualTo("conflict");
        assertThat(ok("sandbox_start", args("name", name))).containsEntry("status", "running");
        assertThat(ok("sandbox_exec", args("name", name, "command", List.of("cat", "/workspace/hello.txt"))))
                .containsEntry("stdout", "hello from MCP\n");
        assertThat(ok("sandbox_remove", args("name", name))).containsEntry("removed", true);
        assertThat(ok("sandbox_list", Map.of()).get("sandboxes")).asString().doesNotContain(name);
    }

    @Test
    void anUnknownSandboxIsAnErrorResult() {
        for (String tool : List.of("sandbox_remove", "sandbox_start", "sandbox_stop", "sandbox_pause", "sandbox_resume")) {
            CallToolResult r = call(tool, args("name", "no-such-sandbox"));
            assertThat(r.isError()).as(tool).isTrue();
            assertThat(text(r)).as(tool).contains("no-such-sandbox");
            assertThat(errorCode(r)).as(tool).isEqualTo("not_found");
        }
        CallToolResult exec = call("sandbox_exec", args("name", "no-such-sandbox", "command", List.of("true")));
        assertThat(errorCode(exec)).isEqualTo("not_found");
        CallToolResult read = call("sandbox_file_read", args("name", "no-such-sandbox", "path", "/etc/hostname"));
        assertThat(errorCode(read)).isEqualTo("not_found");
        CallToolResult task = call("get_background_task_status", args("task_id", "task-0000000000000000"));
        assertThat(task.isError()).isTrue();
        assertThat(errorCode(task)).isEqualTo("not_found");
    }

    // ---- bad arguments ---------------------------------------------------------------------------

    @Test
    void badArgumentsGetAClearMessage() {
        assertInvalid("get_background_task_status", Map.of(), "get_background_task_status: task_id is required");
        assertInvalid("wait_for_background_task", args("task_id", "task-1", "timeout", "soon"),
                "timeout must be a number of seconds");
        assertInvalid("dispatch_background_task", args("task_description", "print(1)", "verbose", "yes"),
                "verbose must be true or false");
        assertInvalid("execute_code", args("code", "1", "template", "cobol"), "unknown template 'cobol'");
        assertInvalid("execute_code", args("code", "1", "flavor", "huge"), "unknown flavor 'huge'");
        assertInvalid("execute_code", args("cod", "1"), "unknown argument 'cod'");
        assertInvalid("sandbox_exec", args("name", "x", "command", List.of()), "command must not be empty");
        assertInvalid("sandbox_create", args("name", "../etc"), "name");
        assertInvalid("sandbox_file_read", args("name", "x", "path", "relative.txt"), "absolute");
        assertInvalid("sandbox_run", args("command", 42), "command must be an array of strings");
        assertInvalid("sandbox_run", args("command", List.of("true"), "sudo", "yes"), "sudo must be true or false");
        assertInvalid("sandbox_run", args("command", List.of("true"), "pull", "sometimes"),
                "pull must be missing, always or never");
        assertInvalid("sandbox_exec", args("name", "x", "command", List.of("true"), "sudo", 1), "sudo must be true or false");
    }

    // ---- named volumes (issue 15, point 6) ----

    @Test
    void sandboxCreateMountsNamedVolumes() {
        assertThat(fx.post("/volumes", "{\"name\": \"mcp-vol\", \"size_mb\": 16}").status()).isEqualTo(201);
        String name = "mcp-vol-box";
        try {
            Map<String, Object> created = ok("sandbox_create", args("name", name, "volumes", List.of("mcp-vol:/v:ro")));
            assertThat(created.get("volumes")).asString().contains("mcp-vol:/v:ro");
            assertThat(ok("sandbox_exec", args("name", name, "command", "test -d /v && touch /v/x 2>/dev/null || echo ro")))
                    .containsEntry("stdout", "ro\n");
            assertInvalid("sandbox_create", args("name", "mcp-vol-bad", "volumes", List.of("mcp-vol:/proc")), "/proc");
        } finally {
            fx.send(fx.request("/sandboxes/" + name).DELETE().build());
            assertThat(fx.send(fx.request("/volumes/mcp-vol").DELETE().build()).status()).isEqualTo(200);
        }
    }

    static void assertInvalid(String tool, Map<String, Object> arguments, String message) {
        CallToolResult r = call(tool, arguments);
        assertThat(r.isError()).as("%s %s", tool, arguments).isTrue();
        assertThat(text(r)).as("%s %s", tool, arguments).contains(message);
        assertThat(errorCode(r)).isEqualTo("invalid_request");
    }

    @Test
    void anUnknownToolIsAProtocolError() {
        assertThatThrownBy(() -> call("no_such_tool", Map.of())).isInstanceOf(McpError.class)
                .hasMessageContaining("Unknown tool");
    }

    // ---- the transport ---------------------------------------------------------------------------

    @Test
    void theTransportAnswersMalformedUseAsTheSpecificationSays() throws Exception {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
        ServerFixture.Response opened = fx.send(mcp().header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(init)).build());
        assertThat(opened.status()).as("%s", opened).isEqualTo(200);
        assertThat(opened.json().path("result").path("serverInfo").path("name").asText()).isEqualTo("agentkernel");
        String session = opened.raw().headers().firstValue("mcp-session-id").orElseThrow();

        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        ServerFixture.Response noSession = fx.send(mcp().header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(list)).build());
        assertThat(noSession.status()).as("%s", noSession).isEqualTo(400);
        ServerFixture.Response unknown = fx.send(mcp().header("Mcp-Session-Id", "no-such-session")
                .POST(HttpRequest.BodyPublishers.ofString(list)).build());
        assertThat(unknown.status()).as("%s", unknown).isEqualTo(404);
        ServerFixture.Response garbage = fx.send(mcp().header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString("{not json")).build());
        assertThat(garbage.status()).as("%s", garbage).isEqualTo(400);
        assertThat(garbage.json().path("error").path("code").asInt()).isEqualTo(-32700);

        ServerFixture.Response asJson = fx.send(mcp().header("Mcp-Session-Id", session).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(list)).build());
        assertThat(asJson.status()).as("%s", asJson).isEqualTo(200);
        assertThat(asJson.contentType()).startsWith("application/json");
        assertThat(asJson.json().path("result").path("tools").size()).isEqualTo(ToolCatalog.NAMES.size());
        ServerFixture.Response asStream = fx.send(mcp().header("Mcp-Session-Id", session)
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(list)).build());
        assertThat(asStream.status()).as("%s", asStream).isEqualTo(200);
        assertThat(asStream.contentType()).startsWith("text/event-stream");
        assertThat(asStream.body()).startsWith("event: message\ndata: {").contains("\"id\":2");

        ServerFixture.Response notification = fx.send(mcp().header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).build());
        assertThat(notification.status()).as("%s", notification).isEqualTo(202);
        ServerFixture.Response getWithoutStream = fx.send(mcp().header("Mcp-Session-Id", session)
                .header("Accept", "application/json").GET().build());
        assertThat(getWithoutStream.status()).as("%s", getWithoutStream).isEqualTo(405);

        ServerFixture.Response deleted = fx.send(mcp().header("Mcp-Session-Id", session).DELETE().build());
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(200);
        ServerFixture.Response after = fx.send(mcp().header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString(list)).build());
        assertThat(after.status()).as("%s", after).isEqualTo(404);
    }

    static HttpRequest.Builder mcp() {
        return fx.request("/mcp").setHeader("Content-Type", "application/json");
    }

    @Test
    void aShutdownDoesNotWaitForListeningStreams() throws IOException {
        Path other = Files.createTempDirectory("ak-mcp-drain-it-");
        ServerFixture slow = ServerFixture.startIn(other, 2, List.of(), 0,
                c -> c.withShutdownGrace(Duration.ofSeconds(30)));
        try {
            McpSyncClient listening = client(slow.baseUrl(), null);
            assertThat(listening.listTools().tools()).isNotEmpty();
            ServerFixture.sleep(500); // the client opens its GET stream after the handshake
            long started = System.nanoTime();
            slow.closeKeepingState();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the 30 s grace is for work, not for idle streams")
                    .isLessThan(Duration.ofSeconds(10));
            listening.close();
        } finally {
            slow.close();
        }
    }

    @Test
    void anApiKeyIsRequiredOnMcpWhenKeysAreOn() throws IOException {
        try (ServerFixture keyed = ServerFixture.start(2, List.of("mcp-key-1"))) {
            assertThatThrownBy(() -> client(keyed.baseUrl(), null)).isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> client(keyed.baseUrl(), "wrong-key")).isInstanceOf(RuntimeException.class);
            ServerFixture.Response raw = keyed.send(HttpRequest.newBuilder(keyed.uri("/mcp"))
                    .setHeader("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(raw.status()).isEqualTo(401);
            McpSyncClient withKey = client(keyed.baseUrl(), "mcp-key-1");
            try {
                assertThat(withKey.listTools().tools()).hasSize(ToolCatalog.NAMES.size());
            } finally {
                withKey.closeGracefully();
            }
        }
    }
}
