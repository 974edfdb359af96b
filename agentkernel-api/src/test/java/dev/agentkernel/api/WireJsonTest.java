package dev.agentkernel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireJsonTest {

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFractionalVcpusIsRefusedWithItsFieldNamed() {
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"name\":\"a\",\"vcpus\":0.5}"), CreateSandboxRequest.class))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("vcpus must be a whole number");
                });
        assertThat(WireJson.readRequest(json("{\"name\":\"a\",\"vcpus\":2,\"memory_mb\":512,\"extra\":[1]}"),
                CreateSandboxRequest.class)).isEqualTo(new CreateSandboxRequest("a", null, null, 2, 512L, null, null, null));
    }

    @Test
    void recordsRefuseWhatBreaksTheContract() {
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":[]}"), RunRequest.class))
                .hasMessage("command must not be empty: e.g. [\"echo\", \"hi\"]");
        assertThatThrownBy(() -> WireJson.readRequest(json("{}"), RunRequest.class))
                .hasMessageStartingWith("command is required");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":\"ls\"}"), RunRequest.class))
                .hasMessage("command must be an array");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":[\"ls\"],\"timeout\":\"5\"}"), RunRequest.class))
                .hasMessage("timeout must be a number");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":[\"ls\"],\"fast\":\"yes\"}"), RunRequest.class))
                .hasMessage("fast must be true or false");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":[\"ls\"],\"timeout\":-1}"), RunRequest.class))
                .hasMessage("timeout must be a positive number of seconds");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"commands\":[{\"command\":[\"a\"]},{\"command\":[]}]}"),
                BatchRequest.class)).hasMessage("commands[1]: command must not be empty: e.g. [\"echo\", \"hi\"]");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"name\": 7}"), CreateSandboxRequest.class))
                .hasMessage("name must be a string");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\": [\"echo\", 1]}"), RunRequest.class))
                .hasMessage("command[1] must be a string");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"content\": true}"), WriteFileRequest.class))
                .hasMessage("content must be a string");
        assertThatThrownBy(() -> WireJson.readRequest(json("[1]"), RunRequest.class))
                .hasMessage("request body must be a JSON object, got array");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":"), RunRequest.class))
                .hasMessageStartingWith("request body is not valid JSON");
        assertThatThrownBy(() -> WireJson.readRequest(new byte[0], RunRequest.class))
                .hasMessageStartingWith("request body is empty");
    }

    @Test
    void answersHaveTheWireShapes() {
        JsonNode batch = WireJson.tree(new BatchResult(List.of(BatchItem.of(new RunResult("2\n", "2\n", "", 0, null, null,
                "s1", 12)), BatchItem.failed("no"))));
        assertThat(batch.toString()).isEqualTo("{\"results\":[{\"output\":\"2\\n\",\"stdout\":\"2\\n\",\"stderr\":\"\","
                + "\"exit_code\":0,\"sandbox\":\"s1\",\"duration_ms\":12,\"error\":null},{\"output\":null,\"error\":\"no\"}]}");
        SandboxView view = new SandboxView("a", "running", "bwrap", null, 1, 512, null, null, null, "moderate", true, null,
                "2025-01-01T00:00:00Z", "0b0e7f4e-0000-4000-8000-000000000001", null);
        assertThat(WireJson.text(view)).isEqualTo("{\"name\":\"a\",\"status\":\"running\",\"backend\":\"bwrap\",\"vcpus\":1,"
                + "\"memory_mb\":512,\"disk_mb\":null,\"profile\":\"moderate\",\"network\":true,"
                + "\"created_at\":\"2025-01-01T00:00:00Z\",\"uuid\":\"0b0e7f4e-0000-4000-8000-000000000001\"}");
        assertThat(WireJson.text(new CommandEvent.Output("x", "x", "stdout"))).isEqualTo(
                "{\"content\":\"x\",\"data\":\"x\",\"stream\":\"stdout\"}");
        assertThat(WireJson.text(new CommandEvent.Done(0, null))).isEqualTo("{\"exit_code\":0}");
        assertThat(new String(WireJson.error(ErrorCode.NOT_FOUND, "no sandbox 'x'"), StandardCharsets.UTF_8))
                .isEqualTo("{\"success\":false,\"error\":\"no sandbox 'x'\",\"code\":\"not_found\"}");
        assertThat(WireJson.text(HealthBody.OK)).isEqualTo("{\"success\":true,\"data\":\"ok\",\"status\":\"ok\"}");
    }

    @Test
    void auditEventsCarryTheirDetailsAsFields() {
        AuditEventView e = new AuditEventView("2025-01-01T00:00:00Z", "sandbox.exec", "a", Map.of("exit_code", 3));
        String text = WireJson.text(e);
        assertThat(text).isEqualTo("{\"timestamp\":\"2025-01-01T00:00:00Z\",\"event\":\"sandbox.exec\",\"sandbox\":\"a\","
                + "\"exit_code\":3}");
        AuditEventView back = WireJson.fromTree(WireJson.tree(e), AuditEventView.class);
        assertThat(back).isEqualTo(e);
        assertThat(back.details()).containsEntry("exit_code", 3);
    }

    @Test
    void errorCodesHaveTheirStatusesAndUnknownCodesReadAsInternal() {
        assertThat(ErrorCode.INVALID_REQUEST.wire()).isEqualTo("invalid_request");
        assertThat(ErrorCode.fromWire("session_not_found")).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
        assertThat(ErrorCode.fromWire("something_new")).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.RESOURCE_EXHAUSTED.status()).isEqualTo(429);
        assertThat(WireJson.fromTree(WireJson.tree(Map.of("error", "x", "code", "conflict")), ErrorBody.class))
                .isEqualTo(new ErrorBody("x", ErrorCode.CONFLICT));
    }

    @Test
    void outputEncodingIsUtf8UnlessBase64IsAskedFor() {
        RunRequest text = WireJson.readRequest(json("{\"command\":[\"ls\"],\"output_encoding\":\"UTF-8\"}"),
                RunRequest.class);
        assertThat(text.base64Output()).isFalse();
        assertThat(WireJson.text(text)).as("the default is not written").isEqualTo("{\"command\":[\"ls\"],\"fast\":true}");
        RunRequest bytes = WireJson.readRequest(json("{\"command\":[\"ls\"],\"output_encoding\":\"base64\"}"),
                RunRequest.class);
        assertThat(bytes.base64Output()).isTrue();
        assertThat(WireJson.readRequest(json("{\"command\":[\"ls\"],\"output_encoding\":\"base64\"}"),
                ExecRequest.class).base64Output()).isTrue();
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"command\":[\"ls\"],\"output_encoding\":\"hex\"}"),
                ExecRequest.class)).isInstanceOf(BadRequestException.class)
                .hasMessage("output_encoding must be utf8 or base64, not 'hex'");
        assertThatThrownBy(() -> WireJson.readRequest(json("{\"commands\":[{\"command\":[\"a\"],\"output_encoding\":1}]}"),
                BatchRequest.class)).hasMessage("commands[0].output_encoding must be a string");
        // base64 answers say so; text answers are as they were
        assertThat(WireJson.text(new CommandResult("AP8=", "AP8=", "", 0, null, null, "base64")))
                .isEqualTo("{\"output\":\"AP8=\",\"stdout\":\"AP8=\",\"stderr\":\"\",\"exit_code\":0,"
                        + "\"encoding\":\"base64\"}");
        assertThat(WireJson.text(new CommandResult("x", "x", "", 0, null, null)))
                .isEqualTo("{\"output\":\"x\",\"stdout\":\"x\",\"stderr\":\"\",\"exit_code\":0}");
        assertThat(BatchItem.of(new RunResult("", "", "", 0, null, null, "s", 1, "base64")).encoding()).isEqualTo("base64");
    }

    @Test
    void answersAreReadLenientlyAboutAbsentFieldsAndStrictlyAboutTypes() {
        RunResult sparse = WireJson.answer(WireJson.tree(Map.of("output", "hi")), RunResult.class);
        assertThat(sparse).isEqualTo(new RunResult("hi", null, null, 0, null, null, null, 0));
        TaskView task = WireJson.answer(WireJson.tree(Map.of("task_id", "t", "status", "running")), TaskView.class);
        assertThat(task.requiredTools()).as("an absent list is empty").isEmpty();
        assertThatThrownBy(() -> WireJson.answer(WireJson.tree(Map.of("exit_code", "0")), CommandResult.class))
                .isInstanceOf(BadRequestException.class).hasMessage("exit_code must be a whole number");
        assertThatThrownBy(() -> WireJson.answer(WireJson.tree(Map.of()), BatchResult.class))
                .hasMessage("results is required");
        assertThatThrownBy(() -> WireJson.answer(WireJson.tree(List.of(1)), TaskList.class))
                .hasMessage("the answer must be a JSON object");
        assertThatThrownBy(() -> WireJson.fromTree(WireJson.tree(Map.of("output", "hi")), RunResult.class))
                .as("fromTree stays strict").hasMessage("exit_code must be a whole number");
    }
}
