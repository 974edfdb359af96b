package dev.agentkernel.core.backend;

/**
 * How the user and group ids of a backend's sandboxes are owners of files on the host: id
 * {@code i} in a sandbox is host id {@code hostBase + i}, for {@code i < count}. What the host
 * needs to read a sandbox's files as the sandbox sees them (a snapshot's layer) and to write
 * files that a sandbox finds as its own (a workspace seeded from an image).
 *
 * @param hostBase the host id of the sandbox's root
 * @param count    how many ids are mapped (1 when sandboxes run as one unprivileged host user)
 */
public record SandboxIds(long hostBase, long count) {

    /** The id a sandbox shows for a host id outside its range: the kernel's overflow id, "nobody". */
    public static final long OVERFLOW = 65_534;

    /** Validates. */
    public SandboxIds {
        if (hostBase < 0 || count < 1 || hostBase + count - 1 > 4_294_967_294L) {
            throw new IllegalArgumentException("bad sandbox id range " + hostBase + "+" + count);
        }
    }

    /** Sandboxes that run as the daemon's own user (root of the sandbox is that user). */
    public static SandboxIds ofThisProcess() {
        try {
            Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            return new SandboxIds(((Number) uid).longValue(), 1);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return new SandboxIds(0, 1);
        }
    }

    /** The id a sandbox sees for host id {@code hostId}: its own, or {@link #OVERFLOW}. */
    public long toSandbox(long hostId) {
        return hostId >= hostBase && hostId < hostBase + count ? hostId - hostBase : OVERFLOW;
    }

    /** The host id of the sandbox's id {@code sandboxId}; ids past the range become the sandbox's root. */
    public long toHost(long sandboxId) {
        return sandboxId >= 0 && sandboxId < count ? hostBase + sandboxId : hostBase;
    }
}
