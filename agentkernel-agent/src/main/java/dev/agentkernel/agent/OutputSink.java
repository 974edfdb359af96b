package dev.agentkernel.agent;

import dev.agentkernel.model.OutputStreamKind;

/**
 * Receives a command's output as it arrives. Called from one thread per command, in the
 * order the agent sent the chunks; the array is only valid during the call. A slow sink
 * slows only its own command (flow control stops the agent reading that command's output).
 * A sink that throws is not called again for that command; the rest of its output is discarded.
 */
@FunctionalInterface
public interface OutputSink {

    /** Receives {@code length} bytes of {@code stream} starting at {@code offset}. */
    void accept(OutputStreamKind stream, byte[] bytes, int offset, int length);

    /**
     * A sink that never blocks and returns at once (e.g. it appends to a buffer or a queue): it
     * is called on the connection's reader thread as each chunk arrives, saving the hand-off to
     * a delivery thread (for request/response protocols where every microsecond of latency
     * counts). Still called in order, one chunk at a time.
     */
    @FunctionalInterface
    interface Immediate extends OutputSink {
    }

    /** A sink that throws everything away. */
    static OutputSink discard() {
        return (stream, bytes, offset, length) -> { };
    }
}
