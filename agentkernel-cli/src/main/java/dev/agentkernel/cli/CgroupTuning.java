package dev.agentkernel.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's cgroup2 mounts without {@code favordynmods}, and their remount with it.
 *
 * <p>Without that option, every move of a process into a cgroup (each sandbox's launcher joins
 * the sandbox's groups) takes the kernel's {@code cgroup_threadgroup_rwsem} for writing, which
 * waits for an RCU grace period: about 10 ms per sandbox start on our machines (a start on an
 * image went from 18.7 to 7.5 ms here with it). The option only changes how that lock is taken
 * (forks and exits pay a little more), nothing of what cgroups do; Linux 6.0 or later has it. A
 * remount lasts until the next boot. The launcher script does it as root before every command
 * ({@code ak_tune_cgroups} in {@code scripts/java.sh}, unless {@code AGENTKERNEL_NO_HOST_TUNING} is
 * set); for a CLI started without it, {@code setup} remounts them the same way, and {@code doctor}
 * and {@code serve} say when one lacks the option.
 */
final class CgroupTuning {

    private static final Path MOUNTS = Path.of("/proc/self/mounts");

    private CgroupTuning() {
    }

    /** The mount points of cgroup2 hierarchies mounted without {@code favordynmods}. */
    static List<String> untuned() {
        return untuned(read());
    }

    static List<String> untuned(List<String> mountsLines) {
        List<String> found = new ArrayList<>();
        for (String line : mountsLines) {
            String[] f = line.split(" ");
            if (f.length > 3 && f[2].equals("cgroup2") && !List.of(f[3].split(",")).contains("favordynmods")) {
                found.add(f[1].replace("\\040", " "));
            }
        }
        return found;
    }

    private static List<String> read() {
        try {
            return Files.readAllLines(MOUNTS);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code doctor}'s hint, when a mount lacks the option. */
    static java.util.Optional<String> hint() {
        List<String> mounts = untuned();
        if (mounts.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("hint: " + String.join(", ", mounts) + " is mounted without favordynmods, so each "
                + "sandbox start waits ~10 ms in the kernel; fix: sudo agentkernel setup (or as root: mount -o "
                + "remount,favordynmods " + String.join(" ", mounts) + ")");
    }

    /**
     * Remounts every untuned mount with {@code favordynmods} ({@code mount -o remount,favordynmods}).
     *
     * @return one line per mount saying what was done, or why not
     */
    static List<String> apply() throws InterruptedException {
        List<String> lines = new ArrayList<>();
        for (String mount : untuned()) {
            String why = remount(mount);
            lines.add(why == null
                    ? "cgroups: remounted " + mount + " with favordynmods until the next boot (a sandbox start no longer "
                    + "waits ~10 ms in the kernel; to keep it, add favordynmods to that mount's options)"
                    : "cgroups: could not remount " + mount + " with favordynmods (" + why + "); each sandbox start "
                    + "waits ~10 ms in the kernel (Linux 6.0 or later has the option)");
        }
        return lines;
    }

    /** Null when done, else why not. */
    private static String remount(String mount) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("mount", "-o", "remount,favordynmods", mount).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "mount did not finish";
            }
            if (p.exitValue() != 0) {
                return output.isEmpty() ? "mount exited " + p.exitValue() : output;
            }
            return untuned().contains(mount) ? "the kernel kept the mount without it" : null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
