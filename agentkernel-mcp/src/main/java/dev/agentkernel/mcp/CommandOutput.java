package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.run.OutputCapture;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.util.Optional;

/**
 * A command's output collected for a tool result, bounded as it arrives: beyond
 * {@link #MAX_BYTES} output is discarded and the result says it was truncated. The bytes are
 * kept once ({@link OutputCapture}); stdout and stderr are read back from them. Package-private.
 */
final class CommandOutput implements RunListener, OutputSink {

    /** Output kept for one result. */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    private final OutputCapture capture = OutputCapture.inMemory(MAX_BYTES);

    @Override
    public void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        capture.output(stream, bytes, offset, length);
    }

    @Override
    public void accept(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        output(stream, bytes, offset, length);
    }

    /** {@code {output, stdout, stderr, exit_code, reason?, truncated?}}, as the HTTP API gives it. */
    ObjectNode toJson(Termination end) {
        ObjectNode node = Results.object();
        node.put("output", capture.text(Optional.empty()));
        node.put("stdout", capture.text(Optional.of(OutputStreamKind.STDOUT)));
        node.put("stderr", capture.text(Optional.of(OutputStreamKind.STDERR)));
        node.put("exit_code", end.exitCode());
        if (!end.describe().isEmpty()) {
            node.put("reason", end.describe());
        }
        if (capture.truncated()) {
            node.put("truncated", true);
        }
        return node;
    }
}
