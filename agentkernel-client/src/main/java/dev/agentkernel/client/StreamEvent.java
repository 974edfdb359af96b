package dev.agentkernel.client;

import java.util.Objects;
import java.util.Optional;

/**
 * One event of a streamed run ({@link AgentKernel#runStream}). The set is closed; a stream
 * ends with exactly one {@link Done} or {@link Error}:
 *
 * {@snippet :
 * switch (event) {
 *     case StreamEvent.Started s -> System.err.println("sandbox " + s.sandbox());
 *     case StreamEvent.Progress p -> System.err.println("stage " + p.stage());
 *     case StreamEvent.Output o -> System.out.print(o.text());
 *     case StreamEvent.Done d -> System.err.println("exit " + d.exitCode());
 *     case StreamEvent.Error e -> System.err.println("failed: " + e.message());
 * }
 * }
 */
public sealed interface StreamEvent {

    /**
     * The command's sandbox exists.
     *
     * @param sandbox the temporary sandbox's id
     */
    record Started(String sandbox) implements StreamEvent {
        /** Checks for null. */
        public Started {
            Objects.requireNonNull(sandbox, "sandbox");
        }
    }

    /**
     * The run reached a stage.
     *
     * @param stage e.g. {@code creating}, {@code starting}, {@code executing}
     */
    record Progress(String stage) implements StreamEvent {
        /** Checks for null. */
        public Progress {
            Objects.requireNonNull(stage, "stage");
        }
    }

    /**
     * Output, as the command produced it (a multi-byte character is never split between events).
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param text   the text
     */
    record Output(String stream, String text) implements StreamEvent {
        /** Checks for nulls. */
        public Output {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(text, "text");
        }

        /**
         * Whether this is standard error.
         *
         * @return whether {@link #stream()} is {@code stderr}
         */
        public boolean stderr() {
            return "stderr".equals(stream);
        }
    }

    /**
     * The command ended; the last event of the stream.
     *
     * @param exitCode as a shell reports it (124 on timeout, 137 out of memory, 128 + signal)
     * @param reason   why it ended unusually, if it did
     */
    record Done(int exitCode, Optional<String> reason) implements StreamEvent {
        /** Checks for null. */
        public Done {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The run failed before the command could end by itself (e.g. no sandbox available); the
     * last event of the stream.
     *
     * @param message the server's message
     */
    record Error(String message) implements StreamEvent {
        /** Checks for null. */
        public Error {
            Objects.requireNonNull(message, "message");
        }
    }
}
