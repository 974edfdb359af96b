package dev.agentkernel.core.sandbox;

import dev.agentkernel.core.disk.DiskImage;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;

/**
 * A persistent sandbox's disk quota ({@code disk_mb}): everything it can write, its own disk
 * ({@code /workspace}, {@code /tmp}, {@code /var/tmp}, its writable image layer) and the
 * size-limited volumes it mounts read-write. The own disk gets what the volumes leave. A request
 * without {@code disk_mb} gets its profile's default for its own disk, plus its volumes; a
 * request with one must leave at least {@link DiskImage#MIN_MB} of it to the own disk.
 *
 * @param totalMb   the quota ({@code disk_mb} as the sandbox reports it)
 * @param volumesMb the part of it on read-write volumes
 */
record DiskQuota(long totalMb, long volumesMb) {

    /** Validates. */
    DiskQuota {
        if (volumesMb < 0 || totalMb - volumesMb < DiskImage.MIN_MB) {
            throw new IllegalArgumentException("disk quota " + totalMb + " with " + volumesMb + " MiB of volumes");
        }
    }

    /**
     * The quota of a sandbox made from {@code request} whose read-write volumes are {@code volumesMb}.
     *
     * @throws InvalidRequestException if the requested {@code disk_mb} is out of range or leaves too little
     */
    static DiskQuota of(PolicyResolver resolver, SandboxRequest request, long volumesMb) {
        if (request.diskMb().isEmpty()) {
            long own = resolver.diskMb(request);
            long total = own + volumesMb;
            if (total > resolver.maxDiskMb()) {
                throw new InvalidRequestException("the read-write volumes (" + volumesMb + " MiB) and the sandbox's own "
                        + "disk (" + own + " MiB) come to " + total + " MiB, above the maximum of " + resolver.maxDiskMb()
                        + " MiB this daemon allows (" + PolicyResolver.MAX_DISK_ENV + "); mount some read-only");
            }
            return new DiskQuota(total, volumesMb);
        }
        long total = resolver.diskMb(request);
        if (total - volumesMb < DiskImage.MIN_MB) {
            throw new InvalidRequestException("disk_mb " + total + " must cover the sandbox's read-write volumes ("
                    + volumesMb + " MiB) and at least " + DiskImage.MIN_MB + " MiB of its own disk: ask for at least "
                    + (volumesMb + DiskImage.MIN_MB) + ", leave disk_mb out (" + PolicyResolver.defaultDiskMb(
                    request.profile().orElse(Profile.MODERATE)) + " MiB of its own plus the volumes), or mount them "
                    + "read-only");
        }
        return new DiskQuota(total, volumesMb);
    }

    /** The size of the sandbox's own disk. */
    long ownMb() {
        return totalMb - volumesMb;
    }
}
