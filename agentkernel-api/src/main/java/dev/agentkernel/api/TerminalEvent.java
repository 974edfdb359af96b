package dev.agentkernel.api;

/**
 * The Server-Sent Events of an interactive session ({@code GET /attach/ID/events}): {@code output}
 * with base64 bytes, then {@code exit}.
 */
public sealed interface TerminalEvent {

    /** The SSE event name. */
    String event();

    /**
     * @param stream {@code stdout} (a pseudo-terminal merges both)
     * @param b64    the bytes, base64
     */
    record Output(String stream, String b64) implements TerminalEvent {
        @Override
        public String event() {
            return "output";
        }
    }

    /** @param exitCode the exit code */
    record Exit(int exitCode) implements TerminalEvent {
        @Override
        public String event() {
            return "exit";
        }
    }
}
