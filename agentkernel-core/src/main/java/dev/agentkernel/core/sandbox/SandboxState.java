package dev.agentkernel.core.sandbox;

/** Whether a persistent sandbox should be running. Stored; survives daemon restarts. */
public enum SandboxState {
    /** Started and meant to run; a daemon that starts finds it and starts it again. */
    RUNNING,
    /** Stopped by its owner: its files are kept, no process runs. */
    STOPPED,
    /**
     * Running with every process frozen (memory kept, no CPU). Only ever shown, never stored: a
     * paused sandbox is stored as {@link #RUNNING}, so a daemon that starts starts it again.
     */
    PAUSED;

    /** The wire spelling ({@code running}, {@code stopped}, {@code paused}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
