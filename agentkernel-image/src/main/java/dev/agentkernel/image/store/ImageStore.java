package dev.agentkernel.image.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.ExtractionLimits;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageLease;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.PruneResult;
import dev.agentkernel.image.StoreUsage;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

/**
 * The content-addressed image store under one root directory:
 * <pre>
 *   blobs/sha256/HEX          manifests, indexes, configurations, layer blobs (each once)
 *   layers/sha256/DIFFID/     each layer unpacked once, by its uncompressed digest
 *   images/HASH.json          one record per reference: manifest digest, config, layers
 *   tmp/                      work in progress; emptied when the store opens
 * </pre>
 * Everything is written under {@code tmp/}, flushed, and renamed into place, so a crash leaves
 * nothing half-published. Work on one blob or one layer is shared by concurrent callers (one
 * download, one unpack). {@link #prune()} excludes every pull and import while it runs.
 *
 * <p>Leases are kept in memory by this object (use one {@code ImageStore} per root per process)
 * and, for the other processes on the same store (the CLI's image commands next to a daemon),
 * as files {@code leases/<pid>-<id>} naming the holder, the image and its layers: {@link #remove}
 * and {@link #prune()} honour those of live processes. Each process writes under its own
 * {@code tmp/<pid>-<n>/}; opening the store removes only what dead processes left there.
 */
public final class ImageStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path images;
    /** Image records as last read, by path (see {@link #read}). */
    private final Map<Path, ParsedRecord> parsedRecords = new ConcurrentHashMap<>();
    private final Path layers;
    private final Path tmp;
    private final BlobStore blobs;
    private final ExtractionLimits limits;
    private final ConcurrentHashMap<String, CompletableFuture<Path>> inflight = new ConcurrentHashMap<>();
    private final ReadWriteLock gc = new ReentrantReadWriteLock();
    private final Map<String, Map<Long, String>> leases = new LinkedHashMap<>();
    /** Lease ids, unique in this process (they name its lease files). */
    private static final AtomicLong LEASE_IDS = new AtomicLong();
    private final Path leaseDir;

    /** Whether a {@code <pid>-...} name is of a process alive now (other than this one's leftovers). */
    private static boolean ofLiveProcess(String name) {
        int dash = name.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(name.substring(0, dash));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A lease of another live process on the same store, as its file says. */
    private record ForeignLease(String holder, String digest, List<String> layers) {
    }

    /** The leases of other live processes. */
    private List<ForeignLease> foreignLeases() {
        List<ForeignLease> found = new ArrayList<>();
        String self = ProcessHandle.current().pid() + "-";
        try (var entries = Files.list(leaseDir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(self) || !ofLiveProcess(name)) {
                    continue;
                }
                try {
                    List<String> lines = Files.readAllLines(entry, StandardCharsets.UTF_8);
                    if (lines.size() >= 2) {
                        found.add(new ForeignLease(lines.get(0), lines.get(1), List.copyOf(lines.subList(2, lines.size()))));
                    }
                } catch (IOException e) {
                    // removed meanwhile: its lease ended
                }
            }
        } catch (IOException e) {
            // no lease directory: no foreign lease
        }
        return found;
    }

    /** One stored layer of an image record. */
    public record StoredLayer(String blob, String diffId, long size) {
    }

    /** The JSON record of one reference. */
    record StoredImage(String reference, String manifestDigest, String indexDigest, String configDigest,
                       String platform, List<StoredLayer> layers, ImageConfig config, String stored) {
    }

    private ImageStore(Path root, ExtractionLimits limits) throws IOException {
        this.root = root.toAbsolutePath();
        this.images = this.root.resolve("images");
        this.layers = this.root.resolve("layers").resolve("sha256");
        Path tmpRoot = this.root.resolve("tmp");
        this.tmp = tmpRoot.resolve(ProcessHandle.current().pid() + "-" + System.nanoTime());
        this.leaseDir = this.root.resolve("leases");
        this.limits = limits;
        Files.createDirectories(images);
        Files.createDirectories(layers);
        Files.createDirectories(this.root.resolve("blobs").resolve("sha256"));
        Files.createDirectories(leaseDir);
        Files.createDirectories(tmpRoot);
        try (var entries = Files.list(tmpRoot)) {
            for (Path entry : entries.toList()) {
                if (!ofLiveProcess(entry.getFileName().toString())) {
                    deleteTree(entry);
                }
            }
        }
        try (var entries = Files.list(leaseDir)) {
            for (Path entry : entries.toList()) {
                if (!ofLiveProcess(entry.getFileName().toString())) {
                    Files.deleteIfExists(entry);
                }
            }
        }
        Files.createDirectories(tmp);
        this.blobs = new BlobStore(this.root.resolve("blobs"), tmp);
    }

    /**
     * Opens (creating) the store under {@code root}, removing what an interrupted pull left in
     * {@code tmp/}.
     */
    public static ImageStore open(Path root, ExtractionLimits limits) {
        try {
            return new ImageStore(root, limits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image store at " + root + ": " + e.getMessage(), e);
        }
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** Runs {@code work} (a pull or an import) so that {@link #prune()} does not run at the same time. */
    public <T> T withContentLock(Callable<T> work) throws Exception {
        gc.readLock().lock();
        try {
            return work.call();
        } finally {
            gc.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- blobs

    /** Whether the blob is stored. */
    public boolean hasBlob(Digest digest) {
        return blobs.has(digest);
    }

    /** The file of a stored blob. */
    public Path blobPath(Digest digest) {
        return blobs.path(digest);
    }

    /** Reads a stored blob (small documents only). */
    public byte[] readBlob(Digest digest) throws IOException {
        return Files.readAllBytes(blobs.path(digest));
    }

    /** Stores bytes in memory under their digest, verifying it. */
    public void putBlob(Digest digest, byte[] bytes) throws IOException {
        shared("blob:" + digest, () -> blobs.put(digest, bytes));
    }

    /**
     * Stores the blob {@code writer} produces unless it is already stored; concurrent callers for
     * one digest share one write. {@code progress} receives byte counts, and -1 when an attempt
     * restarts from zero.
     *
     * @return whether this call wrote it (false: it was stored, or another caller wrote it)
     */
    public boolean ensureBlob(Digest digest, long size, int attempts, BlobStore.BlobWriter writer,
                              LongConsumer progress) throws IOException {
        if (blobs.has(digest)) {
            return false;
        }
        boolean[] mine = {false};
        shared("blob:" + digest, () -> {
            mine[0] = true;
            return blobs.ingest(digest, size, attempts, writer, progress);
        });
        return mine[0];
    }

    // ---------------------------------------------------------------- layers

    /** The directory of an unpacked layer, if it is there. */
    public Optional<Path> layer(Digest diffId) {
        Path dir = layers.resolve(diffId.hex());
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Unpacks the stored blob {@code blob} as the layer {@code diffId} unless that layer is already
     * there; concurrent callers share one unpack. The layer is unpacked into {@code tmp/}, its
     * uncompressed digest checked against {@code diffId}, flushed and renamed into place.
     *
     * @throws LayerRefusedException when the layer breaks a safety rule or a limit
     * @throws DigestMismatchException when the layer's uncompressed digest is not {@code diffId}
     */
    public Path ensureLayer(Digest blob, Digest diffId, String layerName) throws IOException {
        Optional<Path> existing = layer(diffId);
        if (existing.isPresent()) {
            return existing.get();
        }
        return shared("layer:" + diffId, () -> {
            Optional<Path> again = layer(diffId);
            if (again.isPresent()) {
                return again.get();
            }
            Path work = Files.createTempDirectory(tmp, "layer-");
            Path dir = work.resolve("rootfs");
            Files.createDirectory(dir);
            try {
                LayerUnpacker.Result result;
                try (InputStream in = Files.newInputStream(blobs.path(blob))) {
                    result = new LayerUnpacker(limits, layerName).unpack(in, dir);
                }
                if (!result.diffId().equals(diffId)) {
                    throw new DigestMismatchException("layer " + layerName + " unpacks to " + result.diffId()
                            + " but the image configuration says " + diffId + "; refused");
                }
                LinuxFiles.syncFileSystem(dir);
                Path target = layers.resolve(diffId.hex());
                try {
                    Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    // Another process published it first: same content by construction.
                }
                return target;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename a layer into place atomically under " + layers, e);
            } finally {
                deleteTree(work);
            }
        });
    }

    private Path shared(String key, Callable<Path> work) throws IOException {
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = inflight.putIfAbsent(key, mine);
        if (running == null) {
            try {
                Path result = work.call();
                mine.complete(result);
                return result;
            } catch (Throwable t) {
                mine.completeExceptionally(t);
                throw rethrow(t);
            } finally {
                inflight.remove(key, mine);
            }
        }
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for " + key);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }

    // ---------------------------------------------------------------- records

    /**
     * Records {@code reference} as the image {@code manifestDigest}: written to a temporary file,
     * flushed and renamed over any previous record of that reference.
     */
    public Image commit(ImageReference reference, Digest manifestDigest, Digest indexDigest, Digest configDigest,
                        String platform, ImageConfig config, List<StoredLayer> storedLayers) throws IOException {
        StoredImage record = new StoredImage(reference.toString(), manifestDigest.toString(),
                indexDigest == null ? null : indexDigest.toString(), configDigest.toString(), platform,
                List.copyOf(storedLayers), config, Instant.now().toString());
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        Path temp = Files.createTempFile(tmp, "image-", ".json");
        try {
            Files.write(temp, json);
            try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, recordPath(reference), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return toImage(record).orElseThrow(() -> new IOException("a layer of " + reference + " vanished"));
    }

    private Path recordPath(ImageReference reference) {
        return images.resolve(Digest.sha256(reference.toString().getBytes(StandardCharsets.UTF_8)).hex() + ".json");
    }

    /**
     * The stored image for {@code reference}: by its record, or for a digest reference any record
     * with that manifest (or index) digest in the same repository. Empty when absent or when one
     * of its layers is missing.
     */
    public Optional<Image> find(ImageReference reference) {
        Optional<ParsedRecord> direct = parsed(recordPath(reference));
        if (direct.isPresent()) {
            return direct.get().image(this::toImage);
        }
        if (reference.digest() != null) {
            for (StoredImage r : records()) {
                ImageReference stored = ImageReference.parse(r.reference());
                if (stored.name().equals(reference.name()) && (reference.digest().equals(r.manifestDigest())
                        || reference.digest().equals(r.indexDigest()))) {
                    return toImage(r).map(i -> new Image(reference, i.digest(), i.config(), i.layers(),
                            i.platform(), i.size(), i.stored()));
                }
            }
        }
        return Optional.empty();
    }

    /** Every stored image, by reference. */
    public List<Image> list() {
        return records().stream().map(this::toImage).flatMap(Optional::stream)
                .sorted(Comparator.comparing(i -> i.reference().toString())).toList();
    }

    private List<StoredImage> records() {
        List<StoredImage> out = new ArrayList<>();
        try (var files = Files.list(images)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                read(p).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + images + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The record at {@code p}. Records are parsed once and kept with the identity of the file they
     * came from (inode, size, modification time): a record is only ever replaced by a rename
     * ({@link #commit}), also by other processes sharing the store, which gives the path another
     * file, so one {@code stat} tells whether the kept record is still the one on disk.
     */
    private Optional<StoredImage> read(Path p) {
        return parsed(p).map(ParsedRecord::record);
    }

    /** The kept record of {@code p}, parsed again when the file is not the one it was parsed from (see {@link #read}). */
    private Optional<ParsedRecord> parsed(Path p) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException e) {
            parsedRecords.remove(p);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable image record " + p + ": " + e.getMessage(), e);
        }
        ParsedRecord kept = parsedRecords.get(p);
        if (kept != null && kept.isOf(attrs)) {
            return Optional.of(kept);
        }
        Optional<ParsedRecord> parsed = parse(p).map(r -> new ParsedRecord(attrs, r));
        parsed.ifPresent(r -> parsedRecords.put(p, r));
        return parsed;
    }

    /**
     * A parsed record, the file it was parsed from, and the image it gives, built once all its layers were
     * found (they stay while the record does: prune removes only layers that no record names).
     */
    private static final class ParsedRecord {
        private final Object fileKey;
        private final long size;
        private final FileTime modified;
        private final StoredImage record;
        private volatile Image image;

        ParsedRecord(BasicFileAttributes attrs, StoredImage record) {
            this.fileKey = attrs.fileKey();
            this.size = attrs.size();
            this.modified = attrs.lastModifiedTime();
            this.record = record;
        }

        StoredImage record() {
            return record;
        }

        boolean isOf(BasicFileAttributes attrs) {
            return Objects.equals(fileKey, attrs.fileKey()) && size == attrs.size()
                    && modified.equals(attrs.lastModifiedTime());
        }

        Optional<Image> image(java.util.function.Function<StoredImage, Optional<Image>> build) {
            Image built = image;
            if (built == null) {
                built = build.apply(record).orElse(null);
                image = built;
            }
            return Optional.ofNullable(built);
        }
    }

    private static Optional<StoredImage> parse(Path p) {
        try {
            return Optional.of(JSON.readValue(p.toFile(), StoredImage.class));
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (!Files.exists(p)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("unreadable image record " + p + ": " + e.getMessage(), e);
        }
    }

    private Optional<Image> toImage(StoredImage r) {
        List<Path> dirs = new ArrayList<>();
        long size = 0;
        for (StoredLayer l : r.layers()) {
            Optional<Path> dir = layer(Digest.parse(l.diffId()));
            if (dir.isEmpty()) {
                return Optional.empty();
            }
            dirs.add(dir.get());
            size += l.size();
        }
        return Optional.of(new Image(ImageReference.parse(r.reference()), r.manifestDigest(), r.config(), dirs,
                r.platform(), size, Instant.parse(r.stored())));
    }

    /**
     * Removes the record of {@code reference}. Refused while the image is leased, unless another
     * reference keeps the same image. Its content stays until {@link #prune()}.
     *
     * @throws NotFoundException when no image is stored under that reference
     * @throws ConflictException when it is in use, naming the users
     */
    public void remove(ImageReference reference) {
        Path path = recordPath(reference);
        StoredImage record = read(path).orElseThrow(() -> new NotFoundException("no image " + reference
                + " in the store; list the stored images with 'agentkernel images'"));
        synchronized (leases) {
            Map<Long, String> users = new LinkedHashMap<>(leases.getOrDefault(record.manifestDigest(), Map.of()));
            long foreign = 0;
            for (ForeignLease lease : foreignLeases()) {
                if (lease.digest().equals(record.manifestDigest())) {
                    users.put(--foreign, lease.holder());
                }
            }
            boolean otherReference = records().stream().anyMatch(r -> !r.reference().equals(record.reference())
                    && r.manifestDigest().equals(record.manifestDigest()));
            if (!users.isEmpty() && !otherReference) {
                throw new ConflictException("image " + reference + " is in use by "
                        + String.join(", ", new java.util.TreeSet<>(users.values()))
                        + "; stop or remove them first");
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + path + ": " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- leases

    /** Registers a user of {@code image}; see {@link ImageLease}. */
    public ImageLease lease(Image image, String holder) {
        long id = LEASE_IDS.incrementAndGet();
        synchronized (leases) {
            leases.computeIfAbsent(image.digest(), d -> new LinkedHashMap<>()).put(id, holder);
        }
        leasedLayers.merge(image.digest(), image.layers(), (a, b) -> a);
        Path file = leaseDir.resolve(ProcessHandle.current().pid() + "-" + id);
        List<String> lines = new ArrayList<>(List.of(holder.replace('\n', ' '), image.digest()));
        image.layers().forEach(l -> lines.add(l.getFileName().toString()));
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // other processes will not see this lease; this one still honours it
        }
        return new ImageLease() {
            private boolean closed;

            @Override
            public Image image() {
                return image;
            }

            @Override
            public String holder() {
                return holder;
            }

            @Override
            public void close() {
                synchronized (leases) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // removed with its process' other leftovers when the store is next opened
                    }
                    Map<Long, String> users = leases.get(image.digest());
                    if (users != null) {
                        users.remove(id);
                        if (users.isEmpty()) {
                            leases.remove(image.digest());
                            leasedLayers.remove(image.digest());
                        }
                    }
                }
            }
        };
    }

    private final Map<String, List<Path>> leasedLayers = new ConcurrentHashMap<>();

    /** The holders of leases on the image with manifest digest {@code digest}. */
    public List<String> leaseHolders(String digest) {
        synchronized (leases) {
            return List.copyOf(leases.getOrDefault(digest, Map.of()).values());
        }
    }

    // ---------------------------------------------------------------- prune and usage

    /**
     * Removes every blob and layer that no image record and no lease uses. Waits for running
     * pulls and imports to finish and keeps new ones waiting until it is done.
     */
    public PruneResult prune() {
        gc.writeLock().lock();
        try {
            Set<String> keepBlobs = new HashSet<>();
            Set<String> keepLayers = new HashSet<>();
            for (StoredImage r : records()) {
                keepBlobs.add(Digest.parse(r.manifestDigest()).hex());
                if (r.indexDigest() != null) {
                    keepBlobs.add(Digest.parse(r.indexDigest()).hex());
                }
                keepBlobs.add(Digest.parse(r.configDigest()).hex());
                for (StoredLayer l : r.layers()) {
                    keepBlobs.add(Digest.parse(l.blob()).hex());
                    keepLayers.add(Digest.parse(l.diffId()).hex());
                }
            }
            synchronized (leases) {
                for (List<Path> dirs : leasedLayers.values()) {
                    dirs.forEach(d -> keepLayers.add(d.getFileName().toString()));
                }
            }
            for (ForeignLease lease : foreignLeases()) {
                keepLayers.addAll(lease.layers());
                records().stream().filter(r -> r.manifestDigest().equals(lease.digest())).forEach(r -> {
                    keepBlobs.add(Digest.parse(r.configDigest()).hex());
                    r.layers().forEach(l -> keepBlobs.add(Digest.parse(l.blob()).hex()));
                });
            }
            int blobCount = 0;
            int layerCount = 0;
            long freed = 0;
            try (var files = Files.list(root.resolve("blobs").resolve("sha256"))) {
                for (Path p : files.toList()) {
                    if (!keepBlobs.contains(p.getFileName().toString())) {
                        freed += Files.size(p);
                        Files.delete(p);
                        blobCount++;
                    }
                }
            }
            try (var dirs = Files.list(layers)) {
                for (Path p : dirs.toList()) {
                    if (!keepLayers.contains(p.getFileName().toString())) {
                        // Rename first, so that a crash mid-delete leaves no half layer under layers/.
                        Path doomed = Files.createTempDirectory(tmp, "prune-").resolve("layer");
                        Files.move(p, doomed, StandardCopyOption.ATOMIC_MOVE);
                        freed += bytesOf(doomed);
                        deleteTree(doomed.getParent());
                        layerCount++;
                    }
                }
            }
            return new PruneResult(blobCount, layerCount, freed);
        } catch (IOException e) {
            throw new UncheckedIOException("prune of " + root + " failed: " + e.getMessage(), e);
        } finally {
            gc.writeLock().unlock();
        }
    }

    /** Disk use of the store (walks the unpacked layers: cost grows with their file count). */
    public StoreUsage usage() {
        try {
            int blobCount = 0;
            long blobBytes = 0;
            try (var files = Files.list(root.resolve("blobs").resolve("sha256"))) {
                for (Path p : files.toList()) {
                    blobCount++;
                    blobBytes += Files.size(p);
                }
            }
            int layerCount = 0;
            long layerBytes = 0;
            try (var dirs = Files.list(layers)) {
                for (Path p : dirs.toList()) {
                    layerCount++;
                    layerBytes += bytesOf(p);
                }
            }
            return new StoreUsage(records().size(), blobCount, blobBytes, layerCount, layerBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + root + ": " + e.getMessage(), e);
        }
    }

    private static long bytesOf(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** Deletes a tree without following symbolic links. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Stores under {@code reference} a new image: {@code base}'s layers and settings plus one
     * more layer on top, the uncompressed OCI layer tar {@code layerTar} (see
     * {@link LayerTarWriter}) whose sha256 its writer computed ({@code diffId}), checked like any
     * pulled layer when it is unpacked (a tar that does not hash to {@code diffId} is refused). The
     * new image's configuration and manifest (OCI) record the layer and {@code createdBy} in its
     * history. The tar is moved into the blob store (one pass less than a copy): it is gone afterwards.
     *
     * @throws NotFoundException when {@code base} is no longer stored
     * @throws LayerRefusedException when the layer breaks a safety rule or a limit
     */
    public Image derive(Image base, ImageReference reference, Path layerTar, Digest diffId, String createdBy)
            throws IOException {
        StoredImage from = recordOf(base);
        long size = Files.size(layerTar);
        boolean adopted = !blobs.has(diffId);
        shared("blob:" + diffId, () -> blobs.adopt(diffId, layerTar));
        try {
            ensureLayer(diffId, diffId, "of " + reference);
        } catch (IOException | RuntimeException e) {
            if (adopted) {
                blobs.delete(diffId); // not a usable layer: nothing of it stays
            }
            throw e;
        }

        String now = Instant.now().toString();
        com.fasterxml.jackson.databind.node.ObjectNode config =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(readBlob(Digest.parse(from.configDigest())));
        config.withObject("rootfs").put("type", "layers").withArray("diff_ids").add(diffId.toString());
        config.withArray("history").addObject().put("created", now).put("created_by", createdBy);
        config.put("created", now);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = Digest.sha256(configBytes);
        putBlob(configDigest, configBytes);

        com.fasterxml.jackson.databind.JsonNode old = JSON.readTree(readBlob(Digest.parse(from.manifestDigest())));
        com.fasterxml.jackson.databind.node.ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", configBytes.length);
        com.fasterxml.jackson.databind.node.ArrayNode layerList = manifest.putArray("layers");
        old.path("layers").forEach(l -> layerList.add(l.deepCopy()));
        layerList.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", diffId.toString()).put("size", size);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest manifestDigest = Digest.sha256(manifestBytes);
        putBlob(manifestDigest, manifestBytes);

        List<StoredLayer> layerRecords = new ArrayList<>(from.layers());
        layerRecords.add(new StoredLayer(diffId.toString(), diffId.toString(), size));
        return commit(reference, manifestDigest, null, configDigest, from.platform(), from.config(), layerRecords);
    }

    /** The record {@code image} was read from: by its reference, else any record of its manifest digest. */
    private StoredImage recordOf(Image image) {
        Optional<StoredImage> direct = read(recordPath(image.reference()))
                .filter(r -> r.manifestDigest().equals(image.digest()));
        if (direct.isPresent()) {
            return direct.get();
        }
        return records().stream().filter(r -> r.manifestDigest().equals(image.digest())).findFirst()
                .orElseThrow(() -> new NotFoundException("image " + image.reference() + " (" + image.digest()
                        + ") is no longer stored"));
    }

    /** Writes the flattened tree of {@code image} into {@code target}; see {@link RootfsFlattener}. */
    public void materialize(Image image, Path target) throws IOException {
        new RootfsFlattener().flatten(image.layers(), target);
    }
}
