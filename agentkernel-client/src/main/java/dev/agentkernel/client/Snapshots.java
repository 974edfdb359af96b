package dev.agentkernel.client;

import java.util.List;
import java.util.Optional;

/**
 * The daemon's snapshots of persistent sandboxes ({@link AgentKernel#snapshots()}): one verb per
 * action. A snapshot keeps a sandbox's files (what it changed in its image and its whole
 * {@code /workspace}), not its memory or processes; sandboxes are made from it with
 * {@link SandboxOptions#withSnapshot}.
 *
 * {@snippet :
 * SnapshotInfo s = client.snapshots().take("agent", "before-upgrade");
 * // ... the agent breaks something ...
 * client.snapshots().restore("before-upgrade");
 * }
 */
public final class Snapshots {

    private final AgentKernel client;

    Snapshots(AgentKernel client) {
        this.client = client;
    }

    /**
     * Takes a snapshot of a sandbox under a name of the server's choice ({@code SANDBOX-YYYYMMDD-HHMMSS}).
     *
     * @param sandbox the sandbox, running or stopped
     * @return the snapshot
     */
    public SnapshotInfo take(String sandbox) {
        return client.takeSnapshot(sandbox, Optional.empty());
    }

    /**
     * Takes a named snapshot of a sandbox.
     *
     * @param sandbox the sandbox, running or stopped
     * @param name    the snapshot's name (letters, digits, '-', '_', '.')
     * @return the snapshot
     */
    public SnapshotInfo take(String sandbox, String name) {
        return client.takeSnapshot(sandbox, Optional.of(name));
    }

    /**
     * Lists them.
     *
     * @return every snapshot, oldest first
     */
    public List<SnapshotInfo> list() {
        return client.listSnapshots();
    }

    /**
     * Looks one up.
     *
     * @param name the snapshot
     * @return it
     */
    public SnapshotInfo get(String name) {
        return client.getSnapshot(name);
    }

    /**
     * Deletes one that no sandbox runs on.
     *
     * @param name the snapshot
     */
    public void delete(String name) {
        client.deleteSnapshot(name);
    }

    /**
     * Puts the sandbox it was taken from back on its files (created again if it was removed).
     *
     * @param name the snapshot
     * @return the sandbox
     */
    public SandboxInfo restore(String name) {
        return client.restoreSnapshot(name, Optional.empty());
    }

    /**
     * Puts another sandbox on its files (created from it if there is none of that name).
     *
     * @param name the snapshot
     * @param into the sandbox
     * @return the sandbox
     */
    public SandboxInfo restore(String name, String into) {
        return client.restoreSnapshot(name, Optional.of(into));
    }
}
