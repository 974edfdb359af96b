package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What finished sandboxes could have left on the host, for the checks of the tests: cgroups named
 * after their owner, entries in a runtime directory, and live child processes of this JVM. Each
 * leftover is one line naming it ({@code "cgroup /sys/fs/cgroup/..."}, {@code "runtime entry ..."},
 * {@code "process PID (parent PID): COMMAND"}), so that an assertion that the list is empty says what
 * was left.
 *
 * <p>Child processes that are not sandboxes' (the test registries, which live as long as the JVM)
 * are taken for this JVM's own with {@link #ignore} or {@link #ignoreRunningProcesses()};
 * {@link LocalRegistry} does so itself.
 */
public final class HostLeftovers {

    /** Where cgroups are mounted. */
    public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /** Processes of this JVM that are not leftovers, in any test class of this JVM. */
    private static final Set<Long> BASELINE = ConcurrentHashMap.newKeySet();

    private HostLeftovers() {
    }

    /**
     * Everything {@link #cgroups}, {@link #runtimeEntries} and {@link #processes} find.
     *
     * @param ownerPrefix how the names of the owner's cgroups begin (for this JVM: core's
     *                    {@code OwnerTag.of("")})
     * @param runtimeDir  the runtime directory the sandboxes used
     * @param kept        entries of {@code runtimeDir} that may stay (the backends' own directories)
     */
    public static List<String> find(String ownerPrefix, Path runtimeDir, Predicate<Path> kept) {
        List<String> left = new ArrayList<>(cgroups(ownerPrefix));
        left.addAll(runtimeEntries(runtimeDir, kept));
        left.addAll(processes());
        return left;
    }

    /**
     * The cgroup directories that may hold sandboxes' groups: the {@code agentkernel} group of every
     * mounted hierarchy (v1 controllers, also those only a runtime makes groups in, such as runc's
     * devices, blkio and cpuset; the hybrid hierarchy's v2 part {@code unified}) and a pure v2 hierarchy's.
     */
    public static List<Path> cgroupParents() {
        List<Path> parents = new ArrayList<>();
        parents.add(CGROUP_ROOT.resolve("agentkernel"));
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            hierarchies.filter(Files::isDirectory).map(h -> h.resolve("agentkernel")).forEach(parents::add);
        } catch (IOException e) {
            // no cgroup file system here: nothing can be left in one
        }
        return parents;
    }

    /** Cgroups under {@link #cgroupParents()} whose names begin with {@code ownerPrefix}. */
    public static List<String> cgroups(String ownerPrefix) {
        List<String> left = new ArrayList<>();
        for (Path parent : cgroupParents()) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> groups = Files.list(parent)) {
                groups.filter(Files::isDirectory)
                        .filter(g -> g.getFileName().toString().startsWith(ownerPrefix))
                        .forEach(g -> left.add("cgroup " + g));
            } catch (IOException e) {
                left.add("cannot list " + parent + ": " + e);
            }
        }
        return left;
    }

    /** Every entry under {@code runtimeDir} (at any depth) but those {@code kept}. */
    public static List<String> runtimeEntries(Path runtimeDir, Predicate<Path> kept) {
        List<String> left = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            walk.filter(p -> !p.equals(runtimeDir)).filter(kept.negate())
                    .forEach(p -> left.add("runtime entry " + p));
        } catch (IOException e) {
            left.add("cannot walk " + runtimeDir + ": " + e);
        }
        return left;
    }

    /**
     * Live descendants of this JVM, but those {@link #ignore ignored} and the launchers' fork
     * servers of backends still open ({@code .../ak-launch-... --serve 3}, children of this JVM,
     * their binary still there: a closed backend's server ends with its last sandbox, and its
     * state directory is gone).
     */
    public static List<String> processes() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !BASELINE.contains(p.pid()))
                .filter(p -> !isOpenBackendsForkServer(p))
                .map(p -> "process " + p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L) + "): "
                        + p.info().commandLine().or(() -> p.info().command()).orElse("?"))
                .toList();
    }

    private static boolean isOpenBackendsForkServer(ProcessHandle p) {
        String line = p.info().commandLine().orElse("");
        return p.parent().map(ProcessHandle::pid).orElse(-1L) == ProcessHandle.current().pid()
                && line.matches("/\\S*/ak-launch-[^ /]+ --serve 3") && !line.contains("(deleted)");
    }

    /** Takes {@code process} for this JVM's own, not for a leftover of sandboxes, from now on. */
    public static void ignore(ProcessHandle process) {
        BASELINE.add(process.pid());
    }

    /** Takes every process this JVM runs now (test registries, ...) for its own, not for leftovers of sandboxes. */
    public static void ignoreRunningProcesses() {
        ProcessHandle.current().descendants().forEach(HostLeftovers::ignore);
    }
}
