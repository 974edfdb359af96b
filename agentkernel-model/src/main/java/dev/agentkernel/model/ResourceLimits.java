package dev.agentkernel.model;

/**
 * Resource limits enforced on a whole sandbox (every process in it together).
 *
 * @param memoryMb memory limit in MiB, including tmpfs pages the sandbox writes
 * @param vcpus    CPU limit in cores (converted to a CFS quota); may be fractional
 * @param pids     maximum number of processes and threads
 * @param tmpMb    size of the sandbox's /tmp tmpfs in MiB
 */
public record ResourceLimits(long memoryMb, double vcpus, int pids, long tmpMb) {

    /** Smallest memory limit a sandbox can start in. */
    public static final long MIN_MEMORY_MB = 16;
    /** Largest memory limit accepted (16 TiB); keeps byte arithmetic far from overflow. */
    public static final long MAX_MEMORY_MB = 16L * 1024 * 1024;
    /** Smallest process limit a sandbox can start in (supervisor plus a shell and a child). */
    public static final int MIN_PIDS = 8;

    /** Validates the limits. @throws InvalidRequestException for a limit below what can run */
    public ResourceLimits {
        if (memoryMb < MIN_MEMORY_MB) {
            throw new InvalidRequestException("memory limit " + memoryMb + " MB is below the minimum of "
                    + MIN_MEMORY_MB + " MB a sandbox needs to start");
        }
        if (memoryMb > MAX_MEMORY_MB) {
            throw new InvalidRequestException("memory limit " + memoryMb + " MB is above the maximum of "
                    + MAX_MEMORY_MB + " MB");
        }
        if (!(vcpus > 0) || Double.isInfinite(vcpus)) {
            throw new InvalidRequestException("cpu limit " + vcpus + " must be a positive number of cores, e.g. 0.5 or 2");
        }
        if (vcpus < 0.01) {
            throw new InvalidRequestException("cpu limit " + vcpus + " is below the minimum of 0.01 cores");
        }
        if (pids < MIN_PIDS) {
            throw new InvalidRequestException("process limit " + pids + " is below the minimum of " + MIN_PIDS);
        }
        if (tmpMb < 1) {
            throw new InvalidRequestException("/tmp size " + tmpMb + " MB must be at least 1 MB");
        }
    }

    /** A copy with another memory limit. */
    public ResourceLimits withMemoryMb(long value) {
        return new ResourceLimits(value, vcpus, pids, tmpMb);
    }

    /** A copy with another CPU limit. */
    public ResourceLimits withVcpus(double value) {
        return new ResourceLimits(memoryMb, value, pids, tmpMb);
    }

    /** A copy with another process limit. */
    public ResourceLimits withPids(int value) {
        return new ResourceLimits(memoryMb, vcpus, value, tmpMb);
    }

    /** A copy with another /tmp size. */
    public ResourceLimits withTmpMb(long value) {
        return new ResourceLimits(memoryMb, vcpus, pids, value);
    }
}
