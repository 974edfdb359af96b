package dev.agentkernel.core.session;

import dev.agentkernel.model.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this host can give one sandbox: its CPUs and its memory. A flavor larger than that is
 * refused rather than silently shrunk.
 *
 * @param cpus     CPUs available to the daemon
 * @param memoryMb the host's memory in MB
 */
public record HostCapacity(int cpus, long memoryMb) {

    /** Validates. */
    public HostCapacity {
        if (cpus < 1 || memoryMb < 1) {
            throw new IllegalArgumentException("a host has at least one CPU and some memory");
        }
    }

    /** This host: {@link Runtime#availableProcessors()} and {@code MemTotal} of {@code /proc/meminfo}. */
    public static HostCapacity detect() {
        return new HostCapacity(Runtime.getRuntime().availableProcessors(), memTotalMb(Path.of("/proc/meminfo")));
    }

    static long memTotalMb(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                    return Math.max(1, Long.parseLong(parts[0]) / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: do not refuse on memory grounds
        }
        return Long.MAX_VALUE / 2;
    }

    /**
     * Checks that one sandbox of {@code flavor} fits on this host.
     *
     * @throws InvalidRequestException naming what is missing and the flavors that fit
     */
    public void requireFits(Flavor flavor) {
        if (flavor.cpus() <= cpus && flavor.memoryMb() <= memoryMb) {
            return;
        }
        StringBuilder fitting = new StringBuilder();
        for (Flavor f : Flavor.values()) {
            if (f.cpus() <= cpus && f.memoryMb() <= memoryMb) {
                fitting.append(fitting.isEmpty() ? "" : " or ").append(f.id());
            }
        }
        throw new InvalidRequestException("flavor " + flavor.id() + " needs " + flavor.cpus() + " CPUs and "
                + flavor.memoryMb() + " MB of memory, but this host has " + cpus + " CPU" + (cpus == 1 ? "" : "s")
                + " and " + memoryMb + " MB" + (fitting.isEmpty() ? "" : "; use " + fitting));
    }
}
