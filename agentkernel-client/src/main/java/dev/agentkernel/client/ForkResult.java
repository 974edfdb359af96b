package dev.agentkernel.client;

import java.util.List;
import java.util.Objects;

/**
 * What a fork made ({@link Sandboxes#fork(String, int)}): the snapshot taken of the sandbox and the
 * new sandboxes made from it, running, in order. The snapshot stays listed; delete it once its
 * sandboxes are gone.
 *
 * @param snapshot  the snapshot taken for the fork
 * @param sandboxes the new sandboxes
 */
public record ForkResult(SnapshotInfo snapshot, List<SandboxInfo> sandboxes) {

    /** Checks for nulls; the list is copied. */
    public ForkResult {
        Objects.requireNonNull(snapshot, "snapshot");
        sandboxes = List.copyOf(sandboxes);
    }
}
