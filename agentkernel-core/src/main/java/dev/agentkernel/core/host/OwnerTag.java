package dev.agentkernel.core.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of host resources (cgroups, runtime directories) that say which process owns them, in a
 * way a later process cannot take over: {@code <pid>.<start>.<pidns>.<boot>-<suffix>}, with the
 * owner's pid, its start time (clock ticks after boot, field 22 of {@code /proc/PID/stat}) and the
 * inode of its pid namespace in base 36, and the first 8 hex digits of the boot id. About 30
 * characters before the suffix.
 *
 * <p>A resource is orphaned, and may be removed by another AgentKernel process, only when its
 * owner is certainly gone: it was made in an earlier boot; or its owner shares our pid namespace
 * and no process with that pid and start time runs (a reused pid has another start time); or its
 * owner's pid namespace is one we can see (we see a process in it) and none of its processes has
 * that pid and start time. A resource of a pid namespace we cannot see (a daemon in a sibling
 * container sharing {@code /sys/fs/cgroup}) is never ours to judge and is left alone. Names in the
 * old form {@code <pid>-<suffix>} are orphaned when no process with that pid runs, as before.
 */
public final class OwnerTag {

    private static final Pattern TAG = Pattern.compile("([0-9a-z]{1,13})\\.([0-9a-z]{1,13})\\.([0-9a-z]{1,13})\\.([0-9a-f]{8})-.+");
    private static final Pattern LEGACY = Pattern.compile("([0-9]{1,19})-.+");

    /** An owner: a process of one boot, named so that it cannot be mistaken for a later one. */
    record Owner(long pid, long startTicks, long pidNamespace, String boot) {
        String tag() {
            return Long.toString(pid, 36) + "." + Long.toString(startTicks, 36) + "." + Long.toString(pidNamespace, 36)
                    + "." + boot;
        }

        /** The owner named at the start of {@code name}; empty for a name in another form. */
        static Optional<Owner> parse(String name) {
            Matcher m = TAG.matcher(name);
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Owner(Long.parseLong(m.group(1), 36), Long.parseLong(m.group(2), 36),
                        Long.parseLong(m.group(3), 36), m.group(4)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** What the decision needs to know of the host's processes ({@code /proc}); replaced in tests. */
    interface Processes {
        /** This process. */
        Owner self();

        /** The boot id's first 8 hex digits. */
        String boot();

        /** Start time of the process {@code pid} (in our namespace); empty if none runs. */
        OptionalLong startTicks(long pid);

        /** Inode of the pid namespace of {@code pid}; empty if none runs or it cannot be read. */
        OptionalLong pidNamespace(long pid);

        /** The pid of {@code pid} in its own (innermost) pid namespace. */
        OptionalLong innermostPid(long pid);

        /** Every process we can see. */
        List<Long> all();

        /** Whether a process with that pid runs (for names in the old form). */
        boolean exists(long pid);
    }

    private static final Processes PROC = new ProcFileSystem();

    private OwnerTag() {
    }

    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A new name for a sandbox's host resources (cgroups, runtime directories), unique in this
     * process whichever backend asks: {@code <owner tag>-<n>}, one sequence for all.
     */
    public static String next() {
        return of(Long.toString(SEQUENCE.incrementAndGet()));
    }

    /** {@code <this process's owner tag>-<suffix>}. */
    public static String of(String suffix) {
        return PROC.self().tag() + "-" + suffix;
    }

    /** Whether {@code name} is tagged by another AgentKernel process that is certainly gone. */
    public static boolean isOrphaned(String name) {
        return isOrphaned(name, PROC);
    }

    static boolean isOrphaned(String name, Processes processes) {
        Optional<Owner> parsed = Owner.parse(name);
        if (parsed.isEmpty()) {
            Matcher legacy = LEGACY.matcher(name);
            if (!legacy.matches()) {
                return false;
            }
            long pid = Long.parseLong(legacy.group(1));
            return pid != processes.self().pid() && !processes.exists(pid);
        }
        Owner owner = parsed.get();
        Owner me = processes.self();
        if (!owner.boot().equals(processes.boot())) {
            return true;
        }
        if (owner.equals(me)) {
            return false;
        }
        if (owner.pidNamespace() == me.pidNamespace()) {
            OptionalLong start = processes.startTicks(owner.pid());
            return start.isEmpty() || start.getAsLong() != owner.startTicks();
        }
        boolean visible = false;
        for (long pid : processes.all()) {
            OptionalLong ns = processes.pidNamespace(pid);
            if (ns.isPresent() && ns.getAsLong() == owner.pidNamespace()) {
                visible = true;
                OptionalLong inner = processes.innermostPid(pid);
                OptionalLong start = processes.startTicks(pid);
                if (inner.isPresent() && inner.getAsLong() == owner.pid()
                        && start.isPresent() && start.getAsLong() == owner.startTicks()) {
                    return false;
                }
            }
        }
        return visible;
    }


    /** The start time (field 22) in the text of a {@code /proc/PID/stat} file. */
    static OptionalLong startTicksOf(String stat) {
        int paren = stat.lastIndexOf(')');
        if (paren < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(paren + 1).trim().split("\\s+");
        // fields[0] is field 3 (state): field 22 is fields[19]
        if (fields.length < 20) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The host's {@code /proc}. */
    static final class ProcFileSystem implements Processes {
        private static final Path PROC = Path.of("/proc");

        private volatile Owner self; // this process does not change while it lives: read once

        @Override
        public Owner self() {
            Owner known = self;
            if (known == null) {
                long pid = ProcessHandle.current().pid();
                known = new Owner(pid, startTicks(pid).orElse(0), pidNamespace(pid).orElse(0), boot());
                self = known;
            }
            return known;
        }

        private volatile String boot; // the boot id does not change while this process lives

        @Override
        public String boot() {
            String known = boot;
            if (known == null) {
                try {
                    String id = Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim().toLowerCase(Locale.ROOT);
                    known = id.replace("-", "").substring(0, 8);
                } catch (IOException | RuntimeException e) {
                    known = "00000000";
                }
                boot = known;
            }
            return known;
        }

        @Override
        public OptionalLong startTicks(long pid) {
            try {
                return startTicksOf(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat")));
            } catch (IOException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public OptionalLong pidNamespace(long pid) {
            try {
                String link = Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("ns/pid")).toString();
                int open = link.indexOf('[');
                int close = link.indexOf(']');
                return open < 0 || close < open ? OptionalLong.empty()
                        : OptionalLong.of(Long.parseLong(link.substring(open + 1, close)));
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public OptionalLong innermostPid(long pid) {
            try {
                for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                    if (line.startsWith("NSpid:")) {
                        String[] pids = line.substring(6).trim().split("\\s+");
                        return OptionalLong.of(Long.parseLong(pids[pids.length - 1]));
                    }
                }
                return OptionalLong.empty();
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public List<Long> all() {
            List<Long> pids = new ArrayList<>();
            try (var entries = Files.list(PROC)) {
                entries.forEach(e -> {
                    String n = e.getFileName().toString();
                    if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
                        pids.add(Long.parseLong(n));
                    }
                });
            } catch (IOException e) {
                // nothing visible
            }
            return pids;
        }

        @Override
        public boolean exists(long pid) {
            return ProcessHandle.of(pid).isPresent();
        }
    }
}
