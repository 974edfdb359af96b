package dev.agentkernel.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentkernel.core.run.OutputCapture;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A command's output collected for a JSON response ({@code output}, {@code stdout},
 * {@code stderr}), bounded as it arrives: beyond its limit ({@link #MAX_BYTES} unless smaller)
 * output is discarded and the response says it was truncated. The first {@link #IN_MEMORY}
 * bytes are kept in memory, the rest in a file of the spool directory until {@link #close()};
 * the response is written from there as it is sent, never built whole in memory.
 * Package-private.
 */
final class CollectedOutput implements RunListener, AutoCloseable {

    /** Output kept for a JSON response. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Output of one response kept in memory; the rest goes to the spool directory. */
    static final int IN_MEMORY = 256 * 1024;
    private final OutputCapture capture;

    /** Keeps up to {@link #MAX_BYTES}, spilling to {@code spoolDir}. */
    CollectedOutput(Path spoolDir) {
        this(spoolDir, MAX_BYTES, IN_MEMORY);
    }

    /** Keeps up to {@code limit} bytes, the first {@code inMemory} in memory, the rest in {@code spoolDir}. */
    CollectedOutput(Path spoolDir, long limit, long inMemory) {
        this.capture = OutputCapture.spilling(limit, inMemory, spoolDir);
    }

    @Override
    public void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        capture.output(stream, bytes, offset, length);
    }

    /** The fields of a finished {@code /run}. */
    void writeFields(JsonGenerator json, RunOutcome outcome) throws IOException {
        writeFields(json, outcome.termination());
        json.writeStringField("sandbox", outcome.sandboxId());
        json.writeNumberField("duration_ms", outcome.elapsed().toMillis());
    }

    /** Output, exit code and, for an unusual end, its reason; then {@code truncated} if it was. */
    void writeFields(JsonGenerator json, Termination end) throws IOException {
        writeText(json, "output", Optional.empty());
        writeText(json, "stdout", Optional.of(OutputStreamKind.STDOUT));
        writeText(json, "stderr", Optional.of(OutputStreamKind.STDERR));
        json.writeNumberField("exit_code", end.exitCode());
        if (!end.describe().isEmpty()) {
            json.writeStringField("reason", end.describe());
        }
        if (capture.truncated()) {
            json.writeBooleanField("truncated", true);
        }
    }

    private void writeText(JsonGenerator json, String field, Optional<OutputStreamKind> stream) throws IOException {
        json.writeFieldName(field);
        try (Reader text = capture.reader(stream)) {
            json.writeString(text, -1);
        }
    }

    @Override
    public void close() {
        capture.close();
    }
}
