package dev.agentkernel.core.cgroup;

import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How one sandbox group is frozen and thawed: the v1 {@code freezer} controller
 * ({@code freezer.state}: {@code FROZEN}/{@code THAWED}, read back until the kernel says
 * {@code FROZEN}) or the v2 core file {@code cgroup.freeze} (until {@code cgroup.events} says
 * {@code frozen 1}); none where neither exists. Package-private; chosen by the drivers.
 */
sealed interface Freezer {

    /** How long a freeze may take before it is undone and reported. */
    Duration FREEZE_WAIT = Duration.ofSeconds(5);

    /** Freezes and waits until every process of the group is frozen. */
    void freeze();

    /** Thaws; returns at once (thawed processes run again immediately). */
    void thaw();

    /** Whether the group is frozen (or freezing) now. */
    boolean frozen();

    /** The v1 freezer controller's group. */
    record V1(Path dir) implements Freezer {
        /**
         * Writes {@code FROZEN} again on every try, as runc does: a task forked while the group was
         * freezing is frozen only by a new write (the group otherwise stays {@code FREEZING}); every
         * 50 tries a short thaw lets a task caught between the two states finish what held it.
         */
        @Override
        public void freeze() {
            Path state = dir.resolve("freezer.state");
            int[] tries = {0};
            CgroupFiles.write(state, "FROZEN");
            waitFor(() -> {
                if (state().equals("FROZEN")) {
                    return true;
                }
                if (++tries[0] % 50 == 0) {
                    CgroupFiles.tryWrite(state, "THAWED");
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
                CgroupFiles.write(state, "FROZEN");
                return state().equals("FROZEN");
            }, this);
        }

        @Override
        public void thaw() {
            CgroupFiles.tryWrite(dir.resolve("freezer.state"), "THAWED");
        }

        @Override
        public boolean frozen() {
            String state = state(); // FREEZING or FROZEN
            return !state.equals("THAWED") && !state.isEmpty();
        }

        private String state() {
            return CgroupFiles.read(dir.resolve("freezer.state")).map(String::trim).orElse("");
        }
    }

    /** A v2 group (the sandbox's own, or the hybrid host's kill group under {@code unified}). */
    record V2(Path dir) implements Freezer {
        @Override
        public void freeze() {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
            waitFor(() -> CgroupFiles.keyed(dir.resolve("cgroup.events"), "frozen").orElse(0) == 1, this);
        }

        @Override
        public void thaw() {
            CgroupFiles.tryWrite(dir.resolve("cgroup.freeze"), "0");
        }

        @Override
        public boolean frozen() {
            return CgroupFiles.read(dir.resolve("cgroup.freeze")).map(String::trim).orElse("0").equals("1");
        }
    }

    /** No freezer on this host. */
    record None() implements Freezer {
        @Override
        public void freeze() {
            throw new BackendUnavailableException("this host has no cgroup freezer (neither the v1 freezer controller"
                    + " nor cgroup v2's cgroup.freeze), so sandboxes cannot be paused; mount the freezer controller"
                    + " or boot with cgroup v2");
        }

        @Override
        public void thaw() {
            // nothing was frozen
        }

        @Override
        public boolean frozen() {
            return false;
        }
    }

    /** The freezer of a v1 host: the freezer controller's group if there is one, else the unified group's. */
    static Freezer of(Optional<Path> v1, Optional<Path> v2) {
        if (v1.isPresent()) {
            return new V1(v1.get());
        }
        return v2.<Freezer>map(V2::new).orElseGet(None::new);
    }

    /**
     * Polls (from 50 µs, doubling to 2 ms) until {@code done}; past {@link #FREEZE_WAIT} thaws
     * again and fails, so that a group is never left half frozen.
     */
    private static void waitFor(java.util.function.BooleanSupplier done, Freezer freezer) {
        long deadline = System.nanoTime() + FREEZE_WAIT.toNanos();
        long pauseNanos = 50_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                freezer.thaw();
                throw new SandboxFailureException("the sandbox's processes did not freeze within "
                        + FREEZE_WAIT.toSeconds() + " s (a process stuck in the kernel?); it was thawed again");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, 2_000_000);
        }
    }
}
