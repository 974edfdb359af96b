package dev.agentkernel.mcp;

import dev.agentkernel.api.ForkResult;
import dev.agentkernel.api.SandboxView;
import dev.agentkernel.api.SnapshotDeleted;
import dev.agentkernel.api.SnapshotList;
import dev.agentkernel.api.SnapshotView;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.core.snapshot.SnapshotNames;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.InvalidRequestException;
import java.util.List;
import java.util.Optional;

/**
 * Snapshots and forks of persistent sandboxes: {@code sandbox_snapshot}, {@code snapshot_list},
 * {@code snapshot_restore}, {@code snapshot_delete}, {@code sandbox_fork} (sandboxes are made from a
 * snapshot by {@code sandbox_create}'s {@code snapshot}). Every argument is checked before any work.
 * Package-private.
 */
final class SnapshotTools {

    private static final String KEEPS = "A snapshot keeps the sandbox's files: what it changed in its image and its "
            + "whole /workspace (not /tmp, not memory or running processes). A sandbox on the host's /usr (made "
            + "without an image) or with a host directory at /workspace cannot be snapshotted.";

    private final SnapshotService snapshots;

    SnapshotTools(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    List<ToolDefinition> definitions() {
        return List.of(take(), list(), restore(), delete(), fork());
    }

    private ToolDefinition take() {
        return new ToolDefinition("sandbox_snapshot", "Take a snapshot of a sandbox",
                "Take a snapshot of a persistent sandbox, running or stopped, to restore it later "
                        + "(snapshot_restore) or make new sandboxes from it (sandbox_create with snapshot). " + KEEPS,
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .string("snapshot", "The snapshot's name: letters, digits, '-', '_' and '.' (default: "
                                + "SANDBOX-YYYYMMDD-HHMMSS)", false),
                SnapshotView.class,
                Effect.ADDS,
                args -> {
                    String sandbox = sandbox(args, "{\"name\": \"my-sandbox\", \"snapshot\": \"before-upgrade\"}");
                    Optional<String> name = args.optionalString("snapshot").map(SnapshotNames::requireValid);
                    return Results.ok(WireViews.snapshot(snapshots.take(sandbox, name)));
                });
    }

    private ToolDefinition list() {
        return new ToolDefinition("snapshot_list", "List snapshots",
                "List the snapshots of sandboxes, oldest first: name, the sandbox it was taken from, its size and "
                        + "when it was taken.",
                Schema.object(),
                SnapshotList.class,
                Effect.READS,
                args -> Results.ok(new SnapshotList(snapshots.list().stream().map(WireViews::snapshot).toList())));
    }

    private ToolDefinition restore() {
        return new ToolDefinition("snapshot_restore", "Restore a sandbox to a snapshot",
                "Put a sandbox back on a snapshot's files, exactly (what was written since is gone); a running "
                        + "sandbox is started again on them. By default the sandbox it was taken from (created again "
                        + "if it was removed); into names another one.",
                Schema.object()
                        .string("snapshot", "The snapshot's name", true)
                        .string("into", "The sandbox to restore (default: the one the snapshot was taken from)", false),
                SandboxView.class,
                Effect.DESTROYS,
                args -> {
                    String snapshot = snapshot(args);
                    Optional<String> into = args.optionalString("into").map(SandboxNames::requireValid);
                    return Results.ok(WireViews.sandbox(snapshots.restore(snapshot, into)));
                });
    }

    private ToolDefinition delete() {
        return new ToolDefinition("snapshot_delete", "Delete a snapshot",
                "Delete a snapshot and its stored files. Refused while a sandbox made from it (or restored to it) "
                        + "runs.",
                Schema.object().string("snapshot", "The snapshot's name", true),
                SnapshotDeleted.class,
                Effect.DESTROYS,
                args -> {
                    String snapshot = snapshot(args);
                    snapshots.delete(snapshot);
                    return Results.ok(new SnapshotDeleted(snapshot, true, "Deleted snapshot '" + snapshot + "'"));
                });
    }

    private ToolDefinition fork() {
        return new ToolDefinition("sandbox_fork", "Fork a sandbox into new ones",
                "Make new running sandboxes with the files a sandbox has now, e.g. to try several approaches in "
                        + "parallel: a snapshot of it is taken (kept and listed; delete it with snapshot_delete once "
                        + "the new sandboxes are gone) and each new sandbox starts from it, seeing nothing the others "
                        + "write later. All or nothing. " + KEEPS,
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .integer("count", "How many sandboxes to make, 1 to " + SnapshotService.MAX_FORK
                                + " (default 1, or as many as names)", false)
                        .strings("names", "The new sandboxes' names (default NAME-1 ... NAME-count)", false),
                ForkResult.class,
                Effect.ADDS,
                args -> {
                    String example = "{\"name\": \"my-sandbox\", \"count\": 3}";
                    String sandbox = sandbox(args, example);
                    Optional<Long> count = args.positiveWholeNumber("count", "3");
                    List<String> names = args.strings("names", "[\"try-a\", \"try-b\"]");
                    names.forEach(SandboxNames::requireValid);
                    if (!names.isEmpty() && count.isPresent() && count.get() != names.size()) {
                        throw new InvalidRequestException("count is " + count.get() + " but " + names.size()
                                + " names are given: give one of them");
                    }
                    int how = !names.isEmpty() ? names.size()
                            : count.map(c -> (int) Math.min(c, Integer.MAX_VALUE)).orElse(1); // the service says how many may be

                    SnapshotService.Fork fork = snapshots.fork(sandbox, how, names);
                    return Results.ok(new ForkResult(WireViews.snapshot(fork.snapshot()),
                            fork.sandboxes().stream().map(WireViews::sandbox).toList()));
                });
    }

    private static String snapshot(Arguments args) {
        return SnapshotNames.requireValid(args.requiredString("snapshot", "{\"snapshot\": \"before-upgrade\"}"));
    }

    private static String sandbox(Arguments args, String example) {
        return SandboxNames.requireValid(args.requiredString("name", example));
    }
}
