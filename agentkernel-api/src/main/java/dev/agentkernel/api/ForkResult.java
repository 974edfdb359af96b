package dev.agentkernel.api;

import java.util.List;

/**
 * The answer of {@code POST /sandboxes/NAME/fork}.
 *
 * @param snapshot  the snapshot taken for the fork (listed with the others; delete it once its sandboxes are gone)
 * @param sandboxes the new sandboxes, running, in order
 */
public record ForkResult(SnapshotView snapshot, List<SandboxView> sandboxes) {
}
