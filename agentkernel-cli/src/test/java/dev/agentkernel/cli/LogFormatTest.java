package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.audit.RequestId;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** {@code --log-format}: text lines and JSON lines, each with the id of the request being served. */
class LogFormatTest {

    static final ObjectMapper JSON = new ObjectMapper();

    private static LogRecord record(Level level, String message, Object... params) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("dev.agentkernel.test");
        r.setInstant(Instant.parse("2026-12-07T04:20:00.123Z"));
        if (params.length > 0) {
            r.setParameters(params);
        }
        return r;
    }

    private static String inRequest(String id, java.util.function.Supplier<String> format) {
        String[] out = new String[1];
        ScopedValue.where(RequestId.CURRENT, id).run(() -> out[0] = format.get());
        return out[0];
    }

    @Test
    void namesAreTextOrJson() {
        assertThat(LogFormat.parse(null)).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.parse(" ")).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.parse("Json")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse("text")).isEqualTo(LogFormat.TEXT);
        assertThatThrownBy(() -> LogFormat.parse("logfmt")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("--log-format must be text or json, not 'logfmt'");
    }

    @Test
    void aJsonLineHasTheRecordsFieldsAndTheRequestId() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", "GET");
        fields.put("route", "/sandboxes/{name}");
        fields.put("status", 200);
        fields.put("duration_ms", 12L);
        LogRecord access = record(Level.INFO, "GET /sandboxes/a 200 12ms route=/sandboxes/{name}", fields);
        String line = inRequest("req-42", () -> new JsonLogFormatter().format(access));
        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.path("time").asText()).isEqualTo("2026-12-07T04:20:00.123Z");
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("logger").asText()).isEqualTo("dev.agentkernel.test");
        assertThat(json.path("message").asText()).isEqualTo("GET /sandboxes/a 200 12ms route=/sandboxes/{name}");
        assertThat(json.path("request_id").asText()).isEqualTo("req-42");
        assertThat(json.path("route").asText()).isEqualTo("/sandboxes/{name}");
        assertThat(json.path("status").asInt()).isEqualTo(200);
        assertThat(json.path("duration_ms").asLong()).isEqualTo(12);
    }

    @Test
    void aJsonLineOutsideARequestHasNoIdAndCarriesItsErrorOnOneLine() throws Exception {
        LogRecord failed = record(Level.SEVERE, "closing {0} failed", "store");
        failed.setThrown(new IllegalStateException("disk\nfull"));
        String line = new JsonLogFormatter().format(failed);
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.has("request_id")).isFalse();
        assertThat(json.path("level").asText()).isEqualTo("ERROR");
        assertThat(json.path("message").asText()).isEqualTo("closing store failed");
        assertThat(json.path("error").asText()).isEqualTo("java.lang.IllegalStateException: disk\nfull");
        assertThat(json.path("stack").asText()).contains("LogFormatTest");
        assertThat(JSON.readTree(new JsonLogFormatter().format(record(Level.FINE, "x"))).path("level").asText())
                .isEqualTo("DEBUG");
    }

    @Test
    void aTextLineIsOneLineWithTheRequestId() {
        String line = inRequest("req-7", () -> new TextLogFormatter().format(record(Level.WARNING, "two\nlines")));
        assertThat(line).isEqualTo("2026-12-07T04:20:00.123Z WARNING dev.agentkernel.test two\\nlines request_id=req-7"
                + System.lineSeparator());
        assertThat(new TextLogFormatter().format(record(Level.INFO, "no request")))
                .isEqualTo("2026-12-07T04:20:00.123Z INFO dev.agentkernel.test no request" + System.lineSeparator());
    }
}
