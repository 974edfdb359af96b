package dev.agentkernel.model;

import java.util.Locale;

/** Which output stream of a command a chunk of bytes came from. */
public enum OutputStreamKind {
    /** Standard output. */
    STDOUT,
    /** Standard error. */
    STDERR;

    /** The wire name: {@code stdout} or {@code stderr}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
