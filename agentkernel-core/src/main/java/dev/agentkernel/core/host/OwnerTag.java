package dev.agentkernel.core.host;

/**
 * Names of host resources (cgroups, runtime directories) that say which process owns them:
 * {@code <owner-pid>-<suffix>}. A resource whose owner no longer runs was left by a process
 * that died and may be removed by the next one.
 */
public final class OwnerTag {
    private OwnerTag() {
    }

    /** {@code <this process's pid>-<suffix>}. */
    public static String of(String suffix) {
        return ProcessHandle.current().pid() + "-" + suffix;
    }

    /** Whether {@code name} is tagged with the pid of another process that no longer runs. */
    public static boolean isOrphaned(String name) {
        int dash = name.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long owner = Long.parseLong(name.substring(0, dash));
            return owner != ProcessHandle.current().pid() && ProcessHandle.of(owner).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
