package dev.agentkernel.image.store;

import com.github.luben.zstd.ZstdInputStream;
import dev.agentkernel.image.ExtractionLimits;
import dev.agentkernel.image.oci.Digest;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer (a tar stream, plain, gzip or zstd: detected from its first bytes) into an
 * empty directory, so that the layer directories of an image stacked by overlayfs (lowest last
 * in {@code lowerdir}) give the image's tree.
 *
 * <p>Safety: every entry name is resolved against the layer directory one component at a
 * time without following symbolic links; an entry whose name leaves the directory
 * ({@code ..}), whose parent is a symbolic link or a file, or a hard link whose target is not
 * a file of this same layer refuses the whole layer. Absolute names are taken relative to the
 * layer, as Docker does. Device nodes and FIFOs of the tar are skipped (counted), never created;
 * the only device nodes made are the whiteout markers below. Extended attributes of the tar are
 * ignored except {@code security.capability}, so a layer cannot forge overlayfs markers.
 *
 * <p>Whiteouts: {@code .wh.NAME} becomes the overlayfs whiteout {@code NAME} (character device
 * 0/0) and {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory; both
 * need root.
 *
 * <p>Kept: regular files, directories, symbolic links (targets verbatim), hard links, modes
 * (with set-id bits), numeric owners and modification times.
 *
 * <p>Speed: the tar stream is read, checked and turned into directories, links and whiteouts on
 * the calling thread, in order; regular files (their content read ahead, within a byte budget)
 * are created by a {@link FileWriterPool}, one thread per directory. Nothing else touches the layer
 * directory, which starts empty, so {@link MadePaths} answers "is anything there?" without a
 * stat; whenever an entry meets a path this layer may already hold (a replaced name, a hard
 * link's source, a parent that was a file), the queued writes are awaited first and the disk is
 * looked at, exactly as when every entry is written in turn.
 */
final class LayerUnpacker {

    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    private static final System.Logger LOG = System.getLogger(LayerUnpacker.class.getName());
    /**
     * Threads writing the files of one layer: creations in different directories overlap, and a
     * thread waiting on a directory's lock or on the disk leaves its CPU to another (measured on
     * 2 CPUs: 4 beat 2, which beat writing on the reading thread).
     */
    private static final int WRITER_THREADS = Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 2, 4);
    /** File content read ahead of the writers, at most; a larger file is written by the reading thread. */
    private static final int WRITE_BUDGET = 32 << 20;

    /** What unpacking produced. */
    record Result(Digest diffId, long bytes, long entries, int skippedDevices) {
    }

    private final ExtractionLimits limits;
    private final String layerName;

    private final int writeBudget;

    LayerUnpacker(ExtractionLimits limits, String layerName) {
        this(limits, layerName, WRITE_BUDGET);
    }

    /** An unpacker whose writers hold at most {@code writeBudget} bytes of queued file content. */
    LayerUnpacker(ExtractionLimits limits, String layerName, int writeBudget) {
        this.limits = limits;
        this.layerName = layerName;
        this.writeBudget = writeBudget;
    }

    /** Unpacks {@code compressed} (any supported compression) into {@code root}, which must be empty. */
    Result unpack(InputStream compressed, Path root) throws IOException {
        try (var children = Files.list(root)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException("a layer is unpacked into an empty directory; " + root + " is not");
            }
        }
        InputStream raw = decompress(new BufferedInputStream(compressed, 1 << 16));
        Counting counting = new Counting(raw, Digest.newSha256(), limits.maxLayerBytes(), layerName);
        long entries = 0;
        int skipped = 0;
        Deque<DirMeta> dirs = new ArrayDeque<>();
        try (FileWriterPool writers = new FileWriterPool(WRITER_THREADS, writeBudget, "unpack");
             TarArchiveInputStream tar = new TarArchiveInputStream(counting, 1 << 16)) {
            Tree tree = new Tree(root, new MadePaths(), writers);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerRefusedException("layer " + layerName + " has more than " + limits.maxEntries()
                            + " entries (the limit); raise ExtractionLimits.maxEntries to accept it");
                }
                if (!extract(tar, entry, tree, dirs)) {
                    skipped++;
                }
            }
            // The diff_id covers the whole uncompressed stream, padding after the end marker included.
            counting.transferTo(OutputStream.nullOutputStream());
            writers.awaitAll();
        }
        // Directory times last, deepest first: writing into a directory changes its mtime.
        while (!dirs.isEmpty()) {
            DirMeta d = dirs.pop();
            setTimes(d.path, d.mtime);
        }
        Digest diffId = new Digest("sha256", HexFormat.of().formatHex(counting.digest.digest()));
        return new Result(diffId, counting.count, entries, skipped);
    }

    static InputStream decompress(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(in).setContinuous(false);
        }
        return in;
    }

    private record DirMeta(Path path, FileTime mtime) {
    }

    /**
     * The layer directory being written: what this unpack made in it (so that a path never made
     * needs no {@code lstat}) and the threads that write its files.
     */
    private record Tree(Path root, MadePaths made, FileWriterPool writers) {

        /**
         * What is at {@code rel} ({@code path}), or null: looked at on disk only when this unpack may
         * have made it, after the queued writes (so the tree on disk is this layer's so far).
         */
        BasicFileAttributes existing(String rel, Path path) throws IOException {
            if (!made.mayExist(rel)) {
                return null;
            }
            writers.awaitAll();
            return attributes(path);
        }

        /** Removes what {@code existing} found at {@code path}, if anything. */
        void remove(BasicFileAttributes existing, Path path) throws IOException {
            if (existing != null) {
                removeExisting(path);
                made.removed();
            }
        }

        /** Makes {@code rel} ({@code path}) ready to be created: whatever may be there is removed. */
        void clear(String rel, Path path) throws IOException {
            remove(existing(rel, path), path);
        }
    }

    /** Extracts one entry; false when it was skipped (device, FIFO). */
    private boolean extract(TarArchiveInputStream tar, TarArchiveEntry entry, Tree tree, Deque<DirMeta> dirs)
            throws IOException {
        List<String> parts = components(entry.getName());
        Path root = tree.root();
        if (parts.isEmpty()) {
            // "./" itself: the layer root's metadata.
            if (entry.isDirectory()) {
                applyMetadata(root, Meta.of(entry), false);
                dirs.push(new DirMeta(root, Meta.of(entry).mtime()));
            }
            return true;
        }
        String base = parts.getLast();
        String parentRel = String.join("/", parts.subList(0, parts.size() - 1));
        Path parent = ensureParents(tree, parts.subList(0, parts.size() - 1), entry.getName());
        if (base.equals(OPAQUE)) {
            LinuxFiles.setXattr(parent, LinuxFiles.OPAQUE_XATTR, LinuxFiles.utf8("y"));
            return true;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            String hidden = base.substring(WHITEOUT_PREFIX.length());
            if (hidden.startsWith(".wh.")) {
                return true; // aufs metadata (.wh..wh.plnk, ...): nothing to apply
            }
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw refuse(entry, "is a whiteout of no name");
            }
            Path target = parent.resolve(hidden);
            String rel = child(parentRel, hidden);
            tree.clear(rel, target);
            LinuxFiles.whiteout(target);
            tree.made().made(rel);
            return true;
        }
        Path target = parent.resolve(base);
        String rel = child(parentRel, base);
        if (entry.isDirectory()) {
            if (!tree.made().isDirectory(rel)) {
                BasicFileAttributes existing = tree.existing(rel, target);
                if (existing == null || !existing.isDirectory()) {
                    tree.remove(existing, target);
                    Files.createDirectory(target);
                }
                tree.made().directory(rel);
            }
            Meta meta = Meta.of(entry);
            applyMetadata(target, meta, false);
            dirs.push(new DirMeta(target, meta.mtime()));
            return true;
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            LOG.log(System.Logger.Level.DEBUG, "layer {0}: skipped device or FIFO {1}", layerName, entry.getName());
            return false;
        }
        tree.clear(rel, target);
        if (entry.isSymbolicLink()) {
            String link = entry.getLinkName();
            if (link.isEmpty() || link.indexOf('\0') >= 0) {
                throw refuse(entry, "is a symbolic link with an empty or invalid target");
            }
            Files.createSymbolicLink(target, Path.of(link));
            tree.made().made(rel);
            applyMetadata(target, Meta.of(entry), true);
        } else if (entry.isLink()) {
            List<String> linkParts = components(entry.getLinkName());
            if (linkParts.isEmpty()) {
                throw refuse(entry, "is a hard link to the layer's root");
            }
            tree.writers().awaitAll(); // its source may be a file still queued
            Path source = walkExisting(root, linkParts, entry);
            BasicFileAttributes attrs = attributes(source);
            if (attrs == null) {
                throw refuse(entry, "is a hard link to '" + entry.getLinkName()
                        + "', which is not a file of this layer");
            }
            if (attrs.isDirectory()) {
                throw refuse(entry, "is a hard link to a directory");
            }
            Files.createLink(target, source);
            tree.made().made(rel);
        } else if (entry.isFile()) {
            Meta meta = Meta.of(entry);
            tree.made().made(rel);
            if (!entry.isSparse() && entry.getSize() >= 0 && entry.getSize() <= tree.writers().budgetBytes()) {
                byte[] content = tar.readAllBytes(); // at most the entry's size: the stream ends with the entry
                tree.writers().submit(parentRel, content.length, () -> writeFile(target, content, meta));
            } else {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    tar.transferTo(out);
                }
                applyFileMetadata(target, meta);
            }
        } else {
            LOG.log(System.Logger.Level.DEBUG, "layer {0}: skipped entry {1} of unsupported type",
                    layerName, entry.getName());
            return false;
        }
        return true;
    }

    private static String child(String parentRel, String name) {
        return parentRel.isEmpty() ? name : parentRel + "/" + name;
    }

    /** Creates the new file {@code target} (never through a link) with {@code content} and its metadata. */
    private static void writeFile(Path target, byte[] content, Meta meta) throws IOException {
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
        applyFileMetadata(target, meta);
    }

    private static void applyFileMetadata(Path target, Meta meta) throws IOException {
        applyMetadata(target, meta, false);
        if (meta.capability() != null) {
            LinuxFiles.setXattr(target, "security.capability", meta.capability());
        }
    }

    /** What is kept of an entry's metadata: numeric owner, mode (set-id bits too), mtime, file capability. */
    private record Meta(int uid, int gid, int mode, FileTime mtime, byte[] capability) {
        static Meta of(TarArchiveEntry entry) {
            String cap = entry.getExtraPaxHeaders().get("SCHILY.xattr.security.capability");
            return new Meta((int) entry.getLongUserId(), (int) entry.getLongGroupId(), entry.getMode() & 07777,
                    FileTime.from(entry.getLastModifiedTime().toInstant()),
                    cap == null ? null : cap.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * The components of an entry name relative to the layer: leading {@code /} and {@code ./} and
     * empty or {@code .} components dropped; {@code ..} refuses the layer.
     */
    List<String> components(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new LayerRefusedException("layer " + layerName + " is refused: an entry name contains NUL");
        }
        List<String> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new LayerRefusedException("layer " + layerName + " is refused: entry '" + name
                        + "' has a '..' component (it would leave the layer's directory)");
            }
            out.add(part);
        }
        return out;
    }

    /**
     * Creates missing parent directories (0755, root), refusing symbolic links and files on the way;
     * a directory this unpack made or checked is not looked at again.
     */
    private Path ensureParents(Tree tree, List<String> parents, String entryName) throws IOException {
        Path current = tree.root();
        String rel = "";
        for (String part : parents) {
            current = current.resolve(part);
            rel = child(rel, part);
            if (tree.made().isDirectory(rel)) {
                continue;
            }
            BasicFileAttributes attrs = tree.existing(rel, current);
            if (attrs == null) {
                Files.createDirectory(current);
            } else if (attrs.isSymbolicLink()) {
                throw new LayerRefusedException("layer " + layerName + " is refused: entry '" + entryName
                        + "' goes through the symbolic link '" + tree.root().relativize(current) + "'");
            } else if (!attrs.isDirectory()) {
                throw new LayerRefusedException("layer " + layerName + " is refused: entry '" + entryName
                        + "' has the non-directory '" + tree.root().relativize(current) + "' as a parent");
            }
            tree.made().directory(rel);
        }
        return current;
    }

    /** The path of an existing entry of this layer, checked to go through real directories only. */
    private Path walkExisting(Path root, List<String> parts, TarArchiveEntry entry) throws IOException {
        Path current = root;
        for (int i = 0; i < parts.size(); i++) {
            current = current.resolve(parts.get(i));
            BasicFileAttributes attrs = attributes(current);
            if (attrs == null) {
                throw refuse(entry, "is a hard link to '" + entry.getLinkName() + "', which is not in this layer");
            }
            if (i < parts.size() - 1 && !attrs.isDirectory()) {
                throw refuse(entry, "is a hard link through '" + root.relativize(current)
                        + "', which is not a directory");
            }
        }
        return current;
    }

    private LayerRefusedException refuse(TarArchiveEntry entry, String why) {
        return new LayerRefusedException("layer " + layerName + " is refused: entry '" + entry.getName() + "' " + why);
    }

    static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Removes what is at {@code p} (a later entry of the same name replaces it), never following links. */
    static void removeExisting(Path p) throws IOException {
        BasicFileAttributes attrs = attributes(p);
        if (attrs == null) {
            return;
        }
        if (attrs.isDirectory()) {
            try (var children = Files.list(p)) {
                for (Path c : children.toList()) {
                    removeExisting(c);
                }
            }
        }
        Files.delete(p);
    }

    private static void applyMetadata(Path p, Meta meta, boolean symlink) throws IOException {
        Files.setAttribute(p, "unix:uid", meta.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", meta.gid(), LinkOption.NOFOLLOW_LINKS);
        if (!symlink) {
            // After chown, which clears set-id bits. The path is ours and not a link (checked above).
            Files.setAttribute(p, "unix:mode", meta.mode());
        }
        setTimes(p, meta.mtime());
    }

    private static void setTimes(Path p, FileTime mtime) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(mtime, mtime, null);
    }

    /** Counts and hashes the uncompressed stream, refusing it past {@code max} bytes. */
    private static final class Counting extends FilterInputStream {
        final MessageDigest digest;
        final long max;
        final String layerName;
        long count;

        Counting(InputStream in, MessageDigest digest, long max, String layerName) {
            super(in);
            this.digest = digest;
            this.max = max;
            this.layerName = layerName;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                digest.update((byte) b);
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must be hashed too.
            byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void add(long n) {
            count += n;
            if (count > max) {
                throw new LayerRefusedException("layer " + layerName + " is larger than " + max
                        + " bytes uncompressed (the limit); raise ExtractionLimits.maxLayerBytes to accept it");
            }
        }
    }

}
