package dev.agentkernel.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayOutputStream;

/**
 * A command's output collected for a JSON response ({@code output}, {@code stdout},
 * {@code stderr}), bounded: beyond {@link #MAX_BYTES} the response says it was truncated.
 * Package-private.
 */
final class CollectedOutput implements RunListener {

    /** Output kept for a JSON response. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private boolean truncated;

    @Override
    public synchronized void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        int room = MAX_BYTES - all.size();
        if (room < length) {
            truncated = true;
        }
        int n = Math.max(0, Math.min(room, length));
        all.write(bytes, offset, n);
        (stream == OutputStreamKind.STDOUT ? stdout : stderr).write(bytes, offset, n);
    }

    /** The response of a finished {@code /run}. */
    synchronized ObjectNode toJson(RunOutcome outcome) {
        ObjectNode node = toJson(outcome.termination());
        node.put("sandbox", outcome.sandboxId());
        node.put("duration_ms", outcome.elapsed().toMillis());
        return node;
    }

    /** Output, exit code and, for an unusual end, its reason. */
    synchronized ObjectNode toJson(Termination end) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("output", Json.utf8(all.toByteArray()));
        node.put("stdout", Json.utf8(stdout.toByteArray()));
        node.put("stderr", Json.utf8(stderr.toByteArray()));
        node.put("exit_code", end.exitCode());
        if (!end.describe().isEmpty()) {
            node.put("reason", end.describe());
        }
        if (truncated) {
            node.put("truncated", true);
        }
        return node;
    }
}
