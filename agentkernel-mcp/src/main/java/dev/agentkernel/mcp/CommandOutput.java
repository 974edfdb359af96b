package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command's output collected for a tool result, bounded: beyond {@link #MAX_BYTES} the result
 * says it was truncated. Package-private.
 */
final class CommandOutput implements RunListener, OutputSink {

    /** Output kept for one result. */
    static final int MAX_BYTES = 4 * 1024 * 1024;
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

    @Override
    public void accept(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        output(stream, bytes, offset, length);
    }

    /** {@code {output, stdout, stderr, exit_code, reason?, truncated?}}, as the HTTP API gives it. */
    synchronized ObjectNode toJson(Termination end) {
        ObjectNode node = Results.object();
        node.put("output", all.toString(StandardCharsets.UTF_8));
        node.put("stdout", stdout.toString(StandardCharsets.UTF_8));
        node.put("stderr", stderr.toString(StandardCharsets.UTF_8));
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
