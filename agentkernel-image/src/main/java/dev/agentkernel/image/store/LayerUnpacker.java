package dev.agentkernel.image.store;

import com.github.luben.zstd.ZstdInputStream;
import dev.agentkernel.image.ExtractionLimits;
import dev.agentkernel.image.oci.Digest;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Map;
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
 */
final class LayerUnpacker {

    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    private static final System.Logger LOG = System.getLogger(LayerUnpacker.class.getName());

    /** What unpacking produced. */
    record Result(Digest diffId, long bytes, long entries, int skippedDevices) {
    }

    private final ExtractionLimits limits;
    private final String layerName;

    LayerUnpacker(ExtractionLimits limits, String layerName) {
        this.limits = limits;
        this.layerName = layerName;
    }

    /** Unpacks {@code compressed} (any supported compression) into {@code root}, which must be empty. */
    Result unpack(InputStream compressed, Path root) throws IOException {
        InputStream raw = decompress(new BufferedInputStream(compressed, 1 << 16));
        Counting counting = new Counting(raw, Digest.newSha256(), limits.maxLayerBytes(), layerName);
        long entries = 0;
        int skipped = 0;
        Deque<DirMeta> dirs = new ArrayDeque<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(counting, 1 << 16)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerRefusedException("layer " + layerName + " has more than " + limits.maxEntries()
                            + " entries (the limit); raise ExtractionLimits.maxEntries to accept it");
                }
                if (!extract(tar, entry, root, dirs)) {
                    skipped++;
                }
            }
            // The diff_id covers the whole uncompressed stream, padding after the end marker included.
            counting.transferTo(OutputStream.nullOutputStream());
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

    /** Extracts one entry; false when it was skipped (device, FIFO). */
    private boolean extract(TarArchiveInputStream tar, TarArchiveEntry entry, Path root, Deque<DirMeta> dirs)
            throws IOException {
        List<String> parts = components(entry.getName());
        if (parts.isEmpty()) {
            // "./" itself: the layer root's metadata.
            if (entry.isDirectory()) {
                applyMetadata(root, entry, false);
                dirs.push(new DirMeta(root, FileTime.from(entry.getLastModifiedTime().toInstant())));
            }
            return true;
        }
        String base = parts.getLast();
        Path parent = ensureParents(root, parts.subList(0, parts.size() - 1), entry.getName());
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
            removeExisting(target);
            LinuxFiles.whiteout(target);
            return true;
        }
        Path target = parent.resolve(base);
        if (entry.isDirectory()) {
            BasicFileAttributes existing = attributes(target);
            if (existing == null || !existing.isDirectory()) {
                removeExisting(target);
                Files.createDirectory(target);
            }
            applyMetadata(target, entry, false);
            dirs.push(new DirMeta(target, FileTime.from(entry.getLastModifiedTime().toInstant())));
            return true;
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            LOG.log(System.Logger.Level.DEBUG, "layer {0}: skipped device or FIFO {1}", layerName, entry.getName());
            return false;
        }
        removeExisting(target);
        if (entry.isSymbolicLink()) {
            String link = entry.getLinkName();
            if (link.isEmpty() || link.indexOf('\0') >= 0) {
                throw refuse(entry, "is a symbolic link with an empty or invalid target");
            }
            Files.createSymbolicLink(target, Path.of(link));
            applyMetadata(target, entry, true);
        } else if (entry.isLink()) {
            List<String> linkParts = components(entry.getLinkName());
            if (linkParts.isEmpty()) {
                throw refuse(entry, "is a hard link to the layer's root");
            }
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
        } else if (entry.isFile()) {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                tar.transferTo(out);
            }
            applyMetadata(target, entry, false);
            Map<String, String> pax = entry.getExtraPaxHeaders();
            String cap = pax.get("SCHILY.xattr.security.capability");
            if (cap != null) {
                LinuxFiles.setXattr(target, "security.capability", cap.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } else {
            LOG.log(System.Logger.Level.DEBUG, "layer {0}: skipped entry {1} of unsupported type",
                    layerName, entry.getName());
            return false;
        }
        return true;
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

    /** Creates missing parent directories (0755, root), refusing symbolic links and files on the way. */
    private Path ensureParents(Path root, List<String> parents, String entryName) throws IOException {
        Path current = root;
        for (String part : parents) {
            current = current.resolve(part);
            BasicFileAttributes attrs = attributes(current);
            if (attrs == null) {
                Files.createDirectory(current);
            } else if (attrs.isSymbolicLink()) {
                throw new LayerRefusedException("layer " + layerName + " is refused: entry '" + entryName
                        + "' goes through the symbolic link '" + root.relativize(current) + "'");
            } else if (!attrs.isDirectory()) {
                throw new LayerRefusedException("layer " + layerName + " is refused: entry '" + entryName
                        + "' has the non-directory '" + root.relativize(current) + "' as a parent");
            }
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

    private static void applyMetadata(Path p, TarArchiveEntry entry, boolean symlink) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        if (!symlink) {
            // After chown, which clears set-id bits. The path is ours and not a link (checked above).
            Files.setAttribute(p, "unix:mode", entry.getMode() & 07777);
        }
        setTimes(p, FileTime.from(entry.getLastModifiedTime().toInstant()));
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
