package dev.agentkernel.core.volume;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.core.disk.DiskImage;
import dev.agentkernel.core.disk.DiskSupport;
import dev.agentkernel.core.disk.DiskUsage;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Named volumes: created, listed, shown and removed on request, their records in a {@link
 * VolumeStore}, their files under {@code <state>/volumes/<name>} ({@link VolumeDirs}). Where the
 * host can mount disk images ({@link DiskSupport}) a volume is an ext4 image of its size, mounted
 * while at least one running sandbox uses it ({@link #acquire}, {@link #release}); otherwise a
 * plain directory without a size limit.
 *
 * <p>A volume is removed only when no sandbox mounts it; with {@code force}, stopped sandboxes
 * that mount it lose that mount, but a volume a running sandbox has mounted is never removed
 * (stop that sandbox first): its files would vanish under the running processes.
 *
 * <p>Thread-safe: changes are serialized by one lock (volumes change rarely).
 */
public final class VolumeManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VolumeManager.class.getName());
    /** The size of a volume created without one, MiB. */
    public static final long DEFAULT_SIZE_MB = 1024;
    /** The largest volume, MiB (1 TiB; images are sparse, so only what is written takes host disk). */
    public static final long MAX_SIZE_MB = 1024L * 1024;

    private final VolumeStore store;
    private final AuditLog audit;
    private final Path volumesDir;
    private final DiskSupport disks;
    private final ReentrantLock lock = new ReentrantLock();
    /** Running sandbox → the volumes it holds mounted. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();

    /**
     * @param volumesDir where each volume's directory lives ({@code <state>/volumes})
     * @param disks      whether volumes are size-limited images
     */
    public VolumeManager(VolumeStore store, AuditLog audit, Path volumesDir, DiskSupport disks) {
        this.store = store;
        this.audit = audit;
        this.volumesDir = volumesDir.toAbsolutePath().normalize();
        this.disks = disks;
    }

    /**
     * Creates a volume of {@code sizeMb} MiB ({@link #DEFAULT_SIZE_MB} if empty).
     *
     * @throws ConflictException if the name is taken
     * @throws InvalidRequestException for a bad name or size
     */
    public VolumeInfo create(String name, OptionalLong sizeMb) {
        VolumeNames.requireValid(name);
        long size = sizeMb.orElse(DEFAULT_SIZE_MB);
        if (size < DiskImage.MIN_MB || size > MAX_SIZE_MB) {
            throw new InvalidRequestException("size_mb must be between " + DiskImage.MIN_MB + " and " + MAX_SIZE_MB
                    + " MiB; got " + size);
        }
        VolumeRecord record = new VolumeRecord(name, size, disks.enforced(), Instant.now());
        return locked(() -> {
            store.insert(record);
            VolumeDirs dirs = dirs(name);
            try {
                Files.createDirectories(dirs.root());
                Files.setPosixFilePermissions(dirs.root(), PosixFilePermissions.fromString("rwx------"));
                if (record.limited()) {
                    dirs.disk().create(size);
                    dirs.disk().mount();
                    try {
                        Files.createDirectories(dirs.data());
                    } finally {
                        dirs.disk().unmount();
                    }
                } else {
                    Files.createDirectories(dirs.data());
                }
            } catch (SandboxFailureException e) {
                forgetCreated(dirs, name);
                throw e;
            } catch (IOException | RuntimeException e) {
                forgetCreated(dirs, name);
                throw new SandboxFailureException("cannot create volume '" + name + "' under " + dirs.root() + ": "
                        + e.getMessage(), e);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("volume", name);
            details.put("size_mb", size);
            details.put("limited", record.limited());
            audit.append(AuditEvent.now(AuditEventType.VOLUME_CREATED, null, details));
            return info(record);
        });
    }

    /** Every volume, oldest first. */
    public List<VolumeInfo> list() {
        return locked(() -> store.list().stream().map(this::info).toList());
    }

    /** A volume by name. @throws NotFoundException if there is none */
    public VolumeInfo get(String name) {
        return locked(() -> info(require(name)));
    }

    /**
     * Removes a volume and its files.
     *
     * @param force also when stopped sandboxes mount it (they lose that mount)
     * @throws NotFoundException if there is none
     * @throws ConflictException if a sandbox mounts it (a running one: even with {@code force})
     */
    public void remove(String name, boolean force) {
        locked(() -> {
            require(name);
            List<String> running = holders(name);
            if (!running.isEmpty()) {
                throw new ConflictException("volume '" + name + "' is mounted by running sandbox(es) "
                        + String.join(", ", running) + "; stop or remove them first (force does not take a volume"
                        + " from under a running sandbox)");
            }
            List<String> users = store.users(name).stream().map(VolumeUser::sandbox).distinct().toList();
            if (!users.isEmpty() && !force) {
                throw new ConflictException("volume '" + name + "' is mounted by sandbox(es) " + String.join(", ", users)
                        + "; remove them first, or force the removal (they lose the mount)");
            }
            VolumeDirs dirs = dirs(name);
            if (!deleteFiles(dirs)) {
                throw new SandboxFailureException("cannot delete the files of volume '" + name + "' under " + dirs.root());
            }
            store.delete(name);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("volume", name);
            details.put("forced", force);
            if (!users.isEmpty()) {
                details.put("detached_from", String.join(",", users));
            }
            audit.append(AuditEvent.now(AuditEventType.VOLUME_REMOVED, null, details));
            return null;
        });
    }

    /**
     * Checks that every volume of {@code mounts} exists.
     *
     * @throws NotFoundException naming the first that does not
     */
    public void requireExisting(List<VolumeMount> mounts) {
        for (VolumeMount m : mounts) {
            require(m.volume());
        }
    }

    /**
     * The MiB that {@code mounts} let a sandbox write: the sizes of the size-limited volumes it
     * mounts read-write, each counted once (they count in the sandbox's disk quota).
     */
    public long writableMb(List<VolumeMount> mounts) {
        return mounts.stream().filter(m -> !m.readOnly()).map(VolumeMount::volume).distinct()
                .map(store::find).flatMap(Optional::stream).filter(VolumeRecord::limited)
                .mapToLong(VolumeRecord::sizeMb).sum();
    }

    /**
     * Use of the size-limited volumes that running sandbox {@code sandbox} holds mounted
     * read-write, summed (they count in its disk use); empty if it holds none.
     */
    public Optional<DiskUsage> writableUsage(String sandbox) {
        Set<String> names = held.get(sandbox);
        if (names == null) {
            return Optional.empty();
        }
        List<String> writable = store.mounts(sandbox).stream().filter(m -> !m.readOnly()).map(VolumeMount::volume)
                .filter(names::contains).distinct().toList();
        long used = 0;
        long available = 0;
        boolean any = false;
        for (String name : writable) {
            VolumeDirs dirs = dirs(name);
            Optional<DiskUsage> usage = dirs.disk().exists() && dirs.disk().isMounted() ? dirs.disk().usage()
                    : Optional.empty();
            if (usage.isPresent()) {
                used += usage.get().usedMb();
                available += usage.get().availableMb();
                any = true;
            }
        }
        return any ? Optional.of(new DiskUsage(used, available)) : Optional.empty();
    }

    /** Records the volumes a new sandbox mounts. */
    public void attach(String sandbox, List<VolumeMount> mounts) {
        locked(() -> {
            requireExisting(mounts);
            store.setMounts(sandbox, mounts);
            return null;
        });
    }

    /** The volumes sandbox {@code sandbox} mounts. */
    public List<VolumeMount> mountsOf(String sandbox) {
        return store.mounts(sandbox);
    }

    /** Forgets the volumes of a removed sandbox (the volumes stay). */
    public void forget(String sandbox) {
        release(sandbox);
        store.setMounts(sandbox, List.of());
    }

    /**
     * Before sandbox {@code sandbox} starts: makes its volumes reachable (mounts the images not
     * mounted yet) and returns the mounts that put them at their paths. The volumes stay held
     * until {@link #release}. Records {@code volume_mounted} for each.
     *
     * @throws SandboxFailureException if an image cannot be mounted (nothing is held then)
     */
    public List<Mount> acquire(String sandbox) {
        return locked(() -> {
            release(sandbox);
            List<VolumeMount> mounts = store.mounts(sandbox);
            Set<String> names = new LinkedHashSet<>();
            List<Mount> result = new ArrayList<>();
            try {
                for (VolumeMount m : mounts) {
                    Optional<VolumeRecord> record = store.find(m.volume());
                    if (record.isEmpty()) {
                        continue; // removed by force while the sandbox was stopped
                    }
                    VolumeDirs dirs = dirs(m.volume());
                    if (dirs.disk().exists()) {
                        dirs.disk().mount();
                    }
                    names.add(m.volume());
                    held.put(sandbox, names);
                    Path data = dirs.data();
                    if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                        throw new SandboxFailureException("the files of volume '" + m.volume() + "' are missing from "
                                + data + "; remove the volume and create it again");
                    }
                    result.add(new Mount(data, m.path(), m.readOnly()));
                    Map<String, Object> details = new LinkedHashMap<>();
                    details.put("volume", m.volume());
                    details.put("path", m.path());
                    details.put("read_only", m.readOnly());
                    audit.append(AuditEvent.now(AuditEventType.VOLUME_MOUNTED, sandbox, details));
                }
            } catch (RuntimeException e) {
                release(sandbox);
                throw e;
            }
            return result;
        });
    }

    /** After sandbox {@code sandbox} stopped: lets go of its volumes, unmounting images no running sandbox holds. */
    public void release(String sandbox) {
        locked(() -> {
            Set<String> names = held.remove(sandbox);
            if (names != null) {
                for (String name : names) {
                    if (holders(name).isEmpty()) {
                        VolumeDirs dirs = dirs(name);
                        if (dirs.disk().exists()) {
                            dirs.disk().unmount();
                        }
                    }
                }
            }
            return null;
        });
    }

    /** Unmounts every volume image (the daemon stops; its sandboxes are gone). */
    @Override
    public void close() {
        List.copyOf(held.keySet()).forEach(this::release);
    }

    // ---- internals ----------------------------------------------------------------------

    private VolumeInfo info(VolumeRecord record) {
        return new VolumeInfo(record, usage(record), store.users(record.name()), holders(record.name()).size());
    }

    /** Running sandboxes holding {@code volume}. */
    private List<String> holders(String volume) {
        return held.entrySet().stream().filter(e -> e.getValue().contains(volume)).map(Map.Entry::getKey).sorted().toList();
    }

    private Optional<DiskUsage> usage(VolumeRecord record) {
        VolumeDirs dirs = dirs(record.name());
        if (dirs.disk().exists()) {
            if (dirs.disk().isMounted()) {
                return dirs.disk().usage();
            }
            try {
                dirs.disk().mount(); // briefly: no sandbox uses it (we hold the lock, so none starts meanwhile)
                return dirs.disk().usage();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot mount volume '" + record.name() + "' to measure it: "
                        + e.getMessage());
                return Optional.empty();
            } finally {
                dirs.disk().unmount();
            }
        }
        try {
            long bytes = sizeOf(dirs.data());
            long mib = 1024L * 1024;
            long free = Files.getFileStore(dirs.root()).getUsableSpace() / mib;
            return Optional.of(new DiskUsage((bytes + mib - 1) / mib, free));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** Undoes a creation that failed half-way. */
    private void forgetCreated(VolumeDirs dirs, String name) {
        deleteFiles(dirs);
        store.delete(name);
    }

    private VolumeRecord require(String name) {
        VolumeNames.requireValid(name);
        return store.find(name).orElseThrow(() -> new NotFoundException("Volume '" + name + "' not found"));
    }

    private VolumeDirs dirs(String name) {
        return new VolumeDirs(volumesDir.resolve(VolumeNames.requireValid(name)));
    }

    /** Unmounts the image and deletes everything, never following links. Never throws. */
    private static boolean deleteFiles(VolumeDirs dirs) {
        Path root = dirs.root();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (dirs.disk().isMounted() && !dirs.disk().unmount()) {
            return false;
        }
        try {
            dev.agentkernel.core.sandbox.SandboxDirs.deleteTree(root);
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + root + ": " + e.getMessage());
            return false;
        }
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
