package dev.agentkernel.core.snapshot;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.core.backend.SandboxIds;
import dev.agentkernel.core.sandbox.CreateSandbox;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.core.sandbox.SandboxRecord;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.store.LayerTarWriter;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshots of persistent sandboxes. A snapshot is an image: the sandbox's image plus one layer
 * holding what the sandbox changed in its root file system (its writable layer, whiteouts
 * included) and its whole {@code /workspace}, stored in the image store under
 * {@link SnapshotNames#reference} and pinned by digest. Sandboxes are made from it like from any
 * image (their {@code /workspace} seeded from it); a restore puts a sandbox on it with exactly its
 * files; a fork takes one and makes several sandboxes from it at once. Memory and processes are
 * not part of a snapshot: these hosts cannot checkpoint processes (no CRIU).
 *
 * <p>Thread-safe. Snapshots are taken and deleted one at a time; a sandbox is not started, stopped
 * or removed while its files are read.
 */
public final class SnapshotService {

    /** The most sandboxes one fork makes. */
    public static final int MAX_FORK = 16;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final SandboxManager sandboxes;
    private final ImageService images;
    private final SnapshotStore store;
    private final AuditLog audit;
    private final Path workDir;
    private final ReentrantLock changes = new ReentrantLock();

    /**
     * @param workDir a private host directory for layers being written (on the image store's file system, ideally)
     */
    public SnapshotService(SandboxManager sandboxes, ImageService images, SnapshotStore store, AuditLog audit,
                           Path workDir) {
        this.sandboxes = sandboxes;
        this.images = images;
        this.store = store;
        this.audit = audit;
        this.workDir = workDir;
    }

    /**
     * Takes a snapshot of a sandbox, running or stopped.
     *
     * @param name the snapshot's name; empty: {@code SANDBOX-YYYYMMDD-HHMMSS}
     * @throws NotFoundException if there is no such sandbox
     * @throws ConflictException if the name is taken, or the sandbox has no image of its own (the
     *                           host's {@code /usr}, or a host directory at {@code /workspace})
     */
    public SnapshotRecord take(String sandbox, Optional<String> name) {
        SandboxNames.requireValid(sandbox);
        name.ifPresent(SnapshotNames::requireValid);
        changes.lock();
        try {
            String chosen = name.orElseGet(() -> freeName(sandbox));
            if (store.find(chosen).isPresent()) {
                throw new ConflictException("snapshot '" + chosen + "' already exists");
            }
            SnapshotRecord snapshot = sandboxes.withFiles(sandbox, (record, dirs) -> {
                Image base = baseImage(record);
                SandboxIds ids = sandboxes.sandboxIds(record.backend());
                Path tar = null;
                try {
                    Files.createDirectories(workDir);
                    tar = Files.createTempFile(workDir, "snapshot-", ".tar");
                    java.security.MessageDigest sha256 = sha256();
                    try (OutputStream out = new java.security.DigestOutputStream(
                            new java.io.BufferedOutputStream(Files.newOutputStream(tar), 1 << 16), sha256);
                         LayerTarWriter layer = new LayerTarWriter(out, ids::toSandbox, ids::toSandbox)) {
                        layer.addUpper(dirs.rootChanges(), Set.of("workspace"));
                        layer.addTree(dirs.workspace(), "workspace");
                    }
                    long size = Files.size(tar);
                    // hashed as it was written and moved into the store: the layer's bytes are read once more, to unpack
                    Image image = images.derive(base, SnapshotNames.reference(chosen), tar,
                            "sha256:" + java.util.HexFormat.of().formatHex(sha256.digest()),
                            "agentkernel snapshot " + chosen + " of sandbox " + sandbox);
                    return new SnapshotRecord(chosen, sandbox, record.uuid(),
                            SnapshotNames.reference(chosen) + "@" + image.digest(), record.image().orElseThrow(),
                            record.backend(), record.profile(), record.vcpus(), record.memoryMb(), record.network(),
                            record.diskMb(), size, Instant.now(), record.egress());
                } catch (IOException e) {
                    throw new SandboxFailureException("cannot write the snapshot of sandbox '" + sandbox + "': "
                            + e.getMessage(), e);
                } finally {
                    deleteQuietly(tar);
                }
            });
            store.insert(snapshot);
            audit.append(AuditEvent.now(AuditEventType.SNAPSHOT_CREATED, sandbox, Map.of("snapshot", snapshot.name(),
                    "image", snapshot.image(), "size_bytes", snapshot.sizeBytes())));
            return snapshot;
        } finally {
            changes.unlock();
        }
    }

    private Image baseImage(SandboxRecord record) {
        if (record.projectDir().isPresent()) {
            throw new ConflictException("sandbox '" + record.name() + "' has a host directory at /workspace ("
                    + record.projectDir().get() + "); a snapshot keeps the sandbox's own files only, so it cannot "
                    + "be taken");
        }
        String image = record.image().orElse(RootFs.HOST);
        if (image.equals(RootFs.HOST)) {
            throw new ConflictException("sandbox '" + record.name() + "' runs on the host's /usr, not on an image; a "
                    + "snapshot is a layer over the sandbox's image: create the sandbox with an image to snapshot it");
        }
        return images.find(image).orElseThrow(() -> new ConflictException("the image of sandbox '" + record.name()
                + "', " + image + ", is no longer in the image store"));
    }

    /** Every snapshot, oldest first. */
    public List<SnapshotRecord> list() {
        return store.list();
    }

    /** A snapshot by name. @throws NotFoundException if there is none */
    public SnapshotRecord get(String name) {
        SnapshotNames.requireValid(name);
        return store.find(name).orElseThrow(() -> new NotFoundException("snapshot '" + name + "' not found"));
    }

    /**
     * Deletes a snapshot and its image.
     *
     * @throws ConflictException while a sandbox runs on it (made from it, or restored to it)
     */
    public void delete(String name) {
        changes.lock();
        try {
            SnapshotRecord snapshot = get(name);
            List<String> users = usersOf(snapshot);
            if (!users.isEmpty()) {
                throw new ConflictException("snapshot '" + name + "' is the image of sandbox" + (users.size() > 1 ? "es "
                        : " ") + String.join(", ", users) + "; remove " + (users.size() > 1 ? "them" : "it")
                        + " or restore " + (users.size() > 1 ? "them" : "it") + " to another snapshot first");
            }
            try {
                images.remove(SnapshotNames.reference(name));
            } catch (NotFoundException e) {
                // its image is gone already: the record goes too
            }
            store.delete(name);
            audit.append(AuditEvent.now(AuditEventType.SNAPSHOT_DELETED, snapshot.sandbox(), Map.of("snapshot", name)));
        } finally {
            changes.unlock();
        }
    }

    private List<String> usersOf(SnapshotRecord snapshot) {
        List<String> users = new ArrayList<>();
        for (SandboxInfo info : sandboxes.list()) {
            if (info.record().image().map(i -> i.endsWith("@" + snapshot.digest())).orElse(false)) {
                users.add(info.name());
            }
        }
        return users;
    }

    /**
     * What a sandbox made from a snapshot is created with: the snapshot's image (never pulled)
     * and the settings of the sandbox it was taken from, its network policy included; a request may
     * change them.
     */
    public SandboxRequest requestFor(String snapshot) {
        SnapshotRecord s = get(snapshot);
        SandboxRequest options = SandboxRequest.defaults().withProfile(s.profile()).withVcpus(s.vcpus())
                .withMemoryMb(s.memoryMb()).withNetwork(s.network()).withBackend(s.backend()).withImage(s.image())
                .withPull(ImagePull.NEVER).withEgress(s.egress());
        return s.diskMb().isPresent() ? options.withDiskMb(s.diskMb().getAsLong()) : options;
    }

    /**
     * Restores a sandbox to a snapshot: exactly the snapshot's files (its writable layer and
     * {@code /workspace}), on the snapshot's image; a running sandbox is started again on them. A
     * sandbox of that name that no longer exists is created from the snapshot.
     *
     * @param into the sandbox to restore; empty: the one the snapshot was taken from
     */
    public SandboxInfo restore(String snapshot, Optional<String> into) {
        SnapshotRecord s = get(snapshot);
        String target = SandboxNames.requireValid(into.orElse(s.sandbox()));
        if (sandboxes.list().stream().anyMatch(i -> i.name().equals(target))) {
            return sandboxes.replaceImage(target, s.image(), Map.of("snapshot", snapshot));
        }
        SandboxInfo created = sandboxes.create(new CreateSandbox(target, requestFor(snapshot)));
        audit.append(AuditEvent.now(AuditEventType.SANDBOX_RESTORED, target, Map.of("snapshot", snapshot,
                "image", s.image())));
        return created;
    }

    /**
     * Makes {@code count} new sandboxes from a sandbox as it is now: takes a snapshot of it
     * (named {@code SANDBOX-fork-YYYYMMDD-HHMMSS}, listed with the others), then creates them from
     * it in parallel. Each new sandbox has the files the sandbox had, and none sees what the
     * others write later. All or nothing: if one cannot be made, those made are removed.
     *
     * @param count how many (as many as {@code names} when names are given)
     * @param names their names; empty: {@code SANDBOX-1} ... {@code SANDBOX-count}
     * @throws ResourceExhaustedException for more than {@link #MAX_FORK} or more than may run now
     * @throws ConflictException if a name is taken
     */
    public Fork fork(String sandbox, int count, List<String> names) {
        SandboxNames.requireValid(sandbox);
        List<String> chosen = forkNames(sandbox, count, names);
        Set<String> existing = new java.util.HashSet<>();
        sandboxes.list().forEach(info -> existing.add(info.name()));
        Set<String> taken = new LinkedHashSet<>();
        for (String name : chosen) {
            if (existing.contains(name)) {
                taken.add(name);
            }
        }
        if (!taken.isEmpty()) {
            throw new ConflictException("sandbox name" + (taken.size() > 1 ? "s " : " ") + String.join(", ", taken)
                    + (taken.size() > 1 ? " are" : " is") + " taken; name the forks with \"names\"");
        }
        int room = sandboxes.freeSlots();
        if (chosen.size() > room) {
            throw new ResourceExhaustedException("a fork of " + chosen.size() + " sandboxes, but only " + room
                    + " more may run now; stop or remove some first");
        }
        SnapshotRecord snapshot = take(sandbox, Optional.of(freeName(shorten(sandbox, 40) + "-fork")));
        List<SandboxInfo> made = new ArrayList<>();
        RuntimeException failure = null;
        try (ExecutorService creating = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<SandboxInfo>> futures = new ArrayList<>();
            for (String name : chosen) {
                futures.add(creating.submit(() -> sandboxes.create(new CreateSandbox(name, requestFor(snapshot.name())))));
            }
            for (Future<SandboxInfo> future : futures) {
                try {
                    made.add(future.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r
                                : new SandboxFailureException("a fork failed: " + e.getCause(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new SandboxFailureException("interrupted while forking sandbox '" + sandbox + "'");
                }
            }
        }
        if (failure != null) {
            for (SandboxInfo info : made) {
                try {
                    sandboxes.remove(info.name());
                } catch (RuntimeException ignored) {
                    // reported with the failure below
                }
            }
            try {
                delete(snapshot.name());
            } catch (RuntimeException ignored) {
                // kept: it is listed and can be deleted later
            }
            throw failure;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sandboxes", String.join(",", chosen));
        details.put("snapshot", snapshot.name());
        audit.append(AuditEvent.now(AuditEventType.SANDBOX_FORKED, sandbox, details));
        return new Fork(snapshot, List.copyOf(made));
    }

    /** The result of {@link #fork}: the snapshot taken and the sandboxes made from it, in order. */
    public record Fork(SnapshotRecord snapshot, List<SandboxInfo> sandboxes) {
    }

    private static List<String> forkNames(String sandbox, int count, List<String> names) {
        if (!names.isEmpty()) {
            if (count != names.size()) {
                throw new InvalidRequestException("count is " + count + " but " + names.size() + " names are given");
            }
            count = names.size();
        }
        if (count < 1) {
            throw new InvalidRequestException("count must be at least 1");
        }
        if (count > MAX_FORK) {
            throw new ResourceExhaustedException("a fork makes at most " + MAX_FORK + " sandboxes, not " + count);
        }
        List<String> chosen = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = names.isEmpty() ? shorten(sandbox, SandboxNames.MAX_LENGTH - 3) + "-" + i : names.get(i - 1);
            CreateSandbox.requireNewName(name);
            if (chosen.contains(name)) {
                throw new InvalidRequestException("names has '" + name + "' twice");
            }
            chosen.add(name);
        }
        return chosen;
    }

    /** {@code PREFIX-YYYYMMDD-HHMMSS}, with {@code -2}, {@code -3}... until no snapshot has it. */
    private String freeName(String prefix) {
        String stamp = shorten(prefix, 40) + "-" + STAMP.format(Instant.now());
        String name = stamp;
        for (int i = 2; store.find(name).isPresent(); i++) {
            name = stamp + "-" + i;
        }
        return name;
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover in the work directory, removed with it
            }
        }
    }
}
