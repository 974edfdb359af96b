package dev.agentkernel.core.run;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.api.CommandResult;
import dev.agentkernel.api.RunResult;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A command's output collected for an answer (HTTP and MCP alike: {@code output}, {@code stdout},
 * {@code stderr}), bounded as it arrives: beyond its limit ({@link #MAX_BYTES} unless smaller)
 * output is discarded and the answer says it was truncated. The bytes are kept once
 * ({@link OutputCapture}); with a spool directory the first {@link #IN_MEMORY} bytes stay in memory
 * and the rest waits in a file until {@link #close()}, and an HTTP answer is written from there as it
 * is sent ({@link #writeFields}), never built whole in memory. The fields are those of
 * {@link CommandResult} and {@link RunResult}; {@code CollectedOutputTest} checks that the streamed
 * form is exactly what the records' mapping writes.
 */
public final class CollectedOutput implements RunListener, OutputSink, AutoCloseable {

    /** Output kept for one answer. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Output of one answer kept in memory when spilling; the rest goes to the spool directory. */
    public static final int IN_MEMORY = 256 * 1024;
    private final OutputCapture capture;

    private CollectedOutput(OutputCapture capture) {
        this.capture = capture;
    }

    /** Keeps up to {@link #MAX_BYTES}, spilling beyond {@link #IN_MEMORY} to {@code spoolDir}. */
    public static CollectedOutput spilling(Path spoolDir) {
        return spilling(spoolDir, MAX_BYTES, IN_MEMORY);
    }

    /** Keeps up to {@code limit} bytes, the first {@code inMemory} in memory, the rest in {@code spoolDir}. */
    public static CollectedOutput spilling(Path spoolDir, long limit, long inMemory) {
        return new CollectedOutput(OutputCapture.spilling(limit, inMemory, spoolDir));
    }

    /** Keeps up to {@link #MAX_BYTES} in memory (a tool result is built in memory anyway). */
    public static CollectedOutput inMemory() {
        return new CollectedOutput(OutputCapture.inMemory(MAX_BYTES));
    }

    @Override
    public void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        capture.output(stream, bytes, offset, length);
    }

    @Override
    public void accept(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        output(stream, bytes, offset, length);
    }

    /** The output and end as a record (in memory). */
    public CommandResult result(Termination end) {
        return new CommandResult(capture.text(Optional.empty()), capture.text(Optional.of(OutputStreamKind.STDOUT)),
                capture.text(Optional.of(OutputStreamKind.STDERR)), end.exitCode(), reason(end), truncated());
    }

    /** A finished run as a record (in memory). */
    public RunResult result(RunOutcome outcome) {
        CommandResult r = result(outcome.termination());
        return new RunResult(r.output(), r.stdout(), r.stderr(), r.exitCode(), r.reason(), r.truncated(),
                outcome.sandboxId(), outcome.elapsed().toMillis());
    }

    /** The fields of {@link RunResult}, streamed, the output as text. */
    public void writeFields(JsonGenerator json, RunOutcome outcome) throws IOException {
        writeFields(json, outcome, false);
    }

    /**
     * The fields of {@link RunResult}, streamed; with {@code base64} the output is the exact bytes,
     * base64, and {@code encoding} says so.
     */
    public void writeFields(JsonGenerator json, RunOutcome outcome, boolean base64) throws IOException {
        writeFields(json, outcome.termination(), base64);
        json.writeStringField("sandbox", outcome.sandboxId());
        json.writeNumberField("duration_ms", outcome.elapsed().toMillis());
    }

    /** The fields of {@link CommandResult}, streamed, the output as text. */
    public void writeFields(JsonGenerator json, Termination end) throws IOException {
        writeFields(json, end, false);
    }

    /**
     * The fields of {@link CommandResult}, streamed; with {@code base64} the output is the exact
     * bytes, base64, and {@code encoding} says so.
     */
    public void writeFields(JsonGenerator json, Termination end, boolean base64) throws IOException {
        writeOutput(json, "output", Optional.empty(), base64);
        writeOutput(json, "stdout", Optional.of(OutputStreamKind.STDOUT), base64);
        writeOutput(json, "stderr", Optional.of(OutputStreamKind.STDERR), base64);
        json.writeNumberField("exit_code", end.exitCode());
        if (reason(end) != null) {
            json.writeStringField("reason", reason(end));
        }
        if (truncated() != null) {
            json.writeBooleanField("truncated", true);
        }
        if (base64) {
            json.writeStringField("encoding", "base64");
        }
    }

    private static String reason(Termination end) {
        return end.describe().isEmpty() ? null : end.describe();
    }

    private Boolean truncated() {
        return capture.truncated() ? Boolean.TRUE : null;
    }

    private void writeOutput(JsonGenerator json, String field, Optional<OutputStreamKind> stream, boolean base64)
            throws IOException {
        json.writeFieldName(field);
        if (base64) {
            try (InputStream bytes = capture.open(stream)) {
                json.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, bytes, -1);
            }
            return;
        }
        try (Reader text = capture.reader(stream)) {
            json.writeString(text, -1);
        }
    }

    @Override
    public void close() {
        capture.close();
    }
}
