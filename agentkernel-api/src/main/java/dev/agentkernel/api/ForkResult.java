package dev.agentkernel.api;

import java.util.List;

/**
 * The answer of {@code POST /sandboxes/NAME/fork}.
 *
 * @param snapshot  the snapshot taken for the fork (listed with the others; delete it once its sandboxes are gone)
 * @param sandboxes the new sandboxes, running, in order
 * @param note      what a fork copies: the files, not the processes or their memory
 */
public record ForkResult(SnapshotView snapshot, List<SandboxView> sandboxes, String note) {

    /** What every fork answers: processes are not copied. */
    public static final String FILES_ONLY = "the new sandboxes have the files the sandbox had (its writable layer and "
            + "/workspace); its running processes and their memory were not copied: that needs checkpointing the "
            + "processes, which these hosts cannot do (no CRIU)";

    /** A fork's answer with {@link #FILES_ONLY}. */
    public ForkResult(SnapshotView snapshot, List<SandboxView> sandboxes) {
        this(snapshot, sandboxes, FILES_ONLY);
    }
}
