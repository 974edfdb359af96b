package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Host processes as the tests look for them: every process of the host (in this pid namespace, from
 * {@code /proc}) whose command line mentions a marker the test put there (a sandbox's
 * {@code sleep 321.5}, its state directory), whoever started it.
 */
public final class HostProcesses {

    /** Command lines longer than this are shown by their end (where markers usually are). */
    private static final int SHOWN = 1000;

    private HostProcesses() {
    }

    /** A host process as {@code /proc} shows it: its pid and its command line (NULs as spaces, stripped). */
    public record HostProcess(long pid, String commandLine) {

        /** Its environment ({@code NAME=value} entries, each ended by a NUL); "" if it cannot be read (exited, kernel thread). */
        public String environ() {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        /** {@code "PID: COMMAND LINE"}, a line longer than 1000 characters by its last 1000. */
        public String describe() {
            return pid + ": " + (commandLine.length() > SHOWN
                    ? "..." + commandLine.substring(commandLine.length() - SHOWN) : commandLine);
        }
    }

    /**
     * Every host process but this JVM (those that exit while they are listed may be missing).
     *
     * @throws UncheckedIOException if {@code /proc} cannot be listed
     */
    public static List<HostProcess> all() {
        List<HostProcess> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    found.add(new HostProcess(Long.parseLong(name), cmdline));
                } catch (IOException e) {
                    // it exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * Every host process but this JVM whose command line (NULs as spaces) contains {@code marker},
     * {@linkplain HostProcess#describe() described} as {@code "PID: COMMAND LINE"}.
     *
     * @throws UncheckedIOException if {@code /proc} cannot be listed
     */
    public static List<String> mentioning(String marker) {
        return all().stream().filter(p -> p.commandLine().contains(marker)).map(HostProcess::describe).toList();
    }

    /** Waits up to {@code limit} for no host process to mention {@code marker}; returns those left. */
    public static List<String> awaitNoneMentioning(String marker, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> left = mentioning(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = mentioning(marker);
        }
        return left;
    }

    /** Waits up to {@code limit} for a host process to mention {@code marker}; tells whether one did. */
    public static boolean awaitOneMentioning(String marker, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!mentioning(marker).isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
