package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The Server-Sent Events of one command ({@code /run/stream}, {@code /sandboxes/NAME/exec/stream}):
 * {@code started}, {@code progress} stages, {@code output} as produced, then {@code done} or
 * {@code error}. Each frame is {@code event: NAME\ndata: COMPACT-JSON\n\n}.
 */
public sealed interface CommandEvent {

    /** The SSE event name. */
    String event();

    /** @param sandbox the sandbox the command runs in */
    record Started(String sandbox) implements CommandEvent {
        @Override
        public String event() {
            return "started";
        }
    }

    /** @param stage a stage, e.g. {@code executing} */
    record Progress(String stage) implements CommandEvent {
        @Override
        public String event() {
            return "progress";
        }
    }

    /**
     * Output as produced (never split inside a UTF-8 character).
     *
     * @param content the text (the document's key)
     * @param data    the same text (the Python client's key)
     * @param stream  {@code stdout} or {@code stderr}
     */
    record Output(String content, String data, String stream) implements CommandEvent {
        /** {@code text} of {@code stream}. */
        public static Output of(String stream, String text) {
            return new Output(text, text, stream);
        }

        @Override
        public String event() {
            return "output";
        }
    }

    /**
     * The end.
     *
     * @param exitCode the exit code
     * @param reason   how it ended when not by itself; absent otherwise
     */
    record Done(int exitCode, @JsonInclude(JsonInclude.Include.NON_NULL) String reason) implements CommandEvent {
        @Override
        public String event() {
            return "done";
        }
    }

    /** @param message why the command could not run or was stopped */
    record Error(String message) implements CommandEvent {
        @Override
        public String event() {
            return "error";
        }
    }
}
