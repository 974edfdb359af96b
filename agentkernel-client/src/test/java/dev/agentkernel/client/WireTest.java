package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.api.WireJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mapping between the contract's records and the SDK's types, without a server. */
class WireTest {

    private static JsonNode json(String text) throws Exception {
        return WireJson.mapper().readTree(text);
    }

    @Test
    void base64OutputBecomesTheExactBytesAndTheirText() throws Exception {
        RunResult r = Wire.runResult(json("""
                {"output":"AP+AYWJj/g==","stdout":"AP+AYWJj","stderr":"/g==","exit_code":0,"sandbox":"s",
                 "duration_ms":7,"encoding":"base64"}"""));
        assertThat(r.stdoutBytes()).containsExactly(0x00, 0xff, 0x80, 'a', 'b', 'c');
        assertThat(r.stderrBytes()).containsExactly(0xfe);
        assertThat(r.outputBytes()).hasSize(7);
        assertThat(r.stdout()).isEqualTo("\u0000\ufffd\ufffdabc");
        assertThat(r.sandbox()).contains("s");
        assertThat(r.duration()).contains(Duration.ofMillis(7));
    }

    @Test
    void textOutputFromAServerThatSendsNoBytesIsItsUtf8() throws Exception {
        RunResult r = Wire.commandResult(json("{\"output\":\"h\u00e9\",\"stdout\":\"h\u00e9\",\"exit_code\":2}"));
        assertThat(r).isEqualTo(new RunResult("h\u00e9", "h\u00e9", "", 2, Optional.empty(), false, Optional.empty(),
                Optional.empty()));
        assertThat(r.stdoutBytes()).isEqualTo("h\u00e9".getBytes(StandardCharsets.UTF_8));
        assertThat(r.stderrBytes()).isEmpty();
    }

    @Test
    void badOutputIsMalformedNamingTheField() {
        assertThatThrownBy(() -> Wire.runResult(json("{\"stdout\":\"***\",\"encoding\":\"base64\"}")))
                .isInstanceOf(Wire.MalformedException.class).hasMessageStartingWith("stdout is not base64");
        assertThatThrownBy(() -> Wire.runResult(json("{\"stdout\":\"x\",\"encoding\":\"rot13\"}")))
                .isInstanceOf(Wire.MalformedException.class).hasMessage("encoding is not utf8 or base64: rot13");
        assertThatThrownBy(() -> Wire.runResult(json("{\"exit_code\":\"0\"}")))
                .isInstanceOf(Wire.MalformedException.class).hasMessage("exit_code must be a whole number");
        assertThatThrownBy(() -> Wire.batchResults(json("{\"results\":[{\"stdout\":7}]}")))
                .isInstanceOf(Wire.MalformedException.class).hasMessage("results[0].stdout must be a string");
        assertThatThrownBy(() -> Wire.runResult(json("null"))).isInstanceOf(Wire.MalformedException.class)
                .hasMessage("the answer has no data");
    }

    @Test
    void batchEntriesAreCompletedOrFailed() throws Exception {
        List<BatchResult> results = Wire.batchResults(json("""
                {"results":[{"output":"/w==","stdout":"/w==","stderr":"","exit_code":1,"sandbox":"s","duration_ms":3,
                             "error":null,"encoding":"base64"},{"output":null,"error":"no such image"}]}"""));
        assertThat(results.get(0)).isInstanceOfSatisfying(BatchResult.Completed.class, c -> {
            assertThat(c.result().stdoutBytes()).containsExactly(0xff);
            assertThat(c.result().exitCode()).isEqualTo(1);
            assertThat(c.result().duration()).contains(Duration.ofMillis(3));
        });
        assertThat(results.get(1)).isEqualTo(new BatchResult.Failed("no such image"));
    }

    @Test
    void requestsAreTheContractsRecordsAndAskForBytesOnlyWhereAnswersCarryThem() {
        assertThat(WireJson.text(Wire.runRequest(List.of("ls"), RunOptions.defaults(), true)))
                .isEqualTo("{\"command\":[\"ls\"],\"fast\":true,\"output_encoding\":\"base64\"}");
        assertThat(WireJson.text(Wire.runRequest(List.of("ls"), RunOptions.defaults(), false)))
                .as("a stream's events are text").isEqualTo("{\"command\":[\"ls\"],\"fast\":true}");
        assertThat(WireJson.text(Wire.execRequest(List.of("ls"), ExecOptions.defaults().withSudo(true), true)))
                .isEqualTo("{\"command\":[\"ls\"],\"sudo\":true,\"output_encoding\":\"base64\"}");
        assertThatThrownBy(() -> Wire.execRequest(List.of(), ExecOptions.defaults(), true))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("command must not be empty");
    }

    @Test
    void resultsWithTheSameBytesAreEqualAndTheirBytesCannotBeChanged() {
        byte[] out = {1, 2};
        RunResult a = new RunResult("", "", "", 0, Optional.empty(), false, Optional.empty(), Optional.empty(), out,
                out, new byte[0]);
        out[0] = 9;
        assertThat(a.stdoutBytes()).containsExactly(1, 2);
        a.stdoutBytes()[1] = 9;
        assertThat(a.stdoutBytes()).containsExactly(1, 2);
        RunResult b = new RunResult("", "", "", 0, Optional.empty(), false, Optional.empty(), Optional.empty(),
                new byte[] {1, 2}, new byte[] {1, 2}, new byte[0]);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).contains("stdoutBytes=2 bytes");
    }
}
