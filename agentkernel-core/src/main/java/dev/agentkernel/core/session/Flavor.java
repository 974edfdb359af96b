package dev.agentkernel.core.session;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Locale;
import java.util.Objects;

/** The size of a code session's sandbox: CPUs and memory given to it through its cgroup. */
public enum Flavor {
    /** 1 CPU, 1024 MB. */
    SMALL(1, 1024),
    /** 2 CPUs, 2048 MB. */
    MEDIUM(2, 2048),
    /** 4 CPUs, 4096 MB. */
    LARGE(4, 4096);

    private final int cpus;
    private final long memoryMb;

    Flavor(int cpus, long memoryMb) {
        this.cpus = cpus;
        this.memoryMb = memoryMb;
    }

    /** The flavor's name in the API: {@code small}, {@code medium} or {@code large}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** CPUs the session may use. */
    public int cpus() {
        return cpus;
    }

    /** Memory the session may use, in MB. */
    public long memoryMb() {
        return memoryMb;
    }

    /**
     * The flavor with the given name (case-insensitive).
     *
     * @throws InvalidRequestException for an unknown name
     */
    public static Flavor fromName(String name) {
        String n = Objects.requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
        for (Flavor f : values()) {
            if (f.id().equals(n)) {
                return f;
            }
        }
        throw new InvalidRequestException("unknown flavor '" + name + "' (expected small, medium or large)");
    }
}
