package dev.agentkernel.core.sandbox;

/** Whether a persistent sandbox should be running. Stored; survives daemon restarts. */
public enum SandboxState {
    /** Started and meant to run; a daemon that starts finds it and starts it again. */
    RUNNING,
    /** Stopped by its owner: its files are kept, no process runs. */
    STOPPED;

    /** The wire spelling ({@code running}, {@code stopped}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
