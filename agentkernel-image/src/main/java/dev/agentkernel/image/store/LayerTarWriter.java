package dev.agentkernel.image.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes one OCI image layer (an uncompressed tar) from a sandbox's files on the host: the
 * upper directory of its overlay root ({@link #addUpper}), whose overlayfs whiteouts (character
 * devices 0/0) become {@code .wh.NAME} entries and whose opaque directories
 * ({@code trusted.overlay.opaque=y}) get {@code .wh..wh..opq}; and plain trees put under a
 * directory of the layer that replaces what lower layers have there ({@link #addTree}).
 *
 * <p>Never follows a symbolic link; hard links within what is added stay hard links; owners
 * go through the given id maps (host ids → the sandbox's own); device nodes, FIFOs and sockets
 * are left out (no layer of the store ever holds one); modes keep their permission bits, not
 * setuid/setgid. Entries are written in a stable order (names sorted), so the same files give
 * the same layer digest.
 */
public final class LayerTarWriter implements AutoCloseable {

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final TarArchiveOutputStream tar;
    private final LongUnaryOperator uids;
    private final LongUnaryOperator gids;
    private final Map<Object, String> linked = new HashMap<>();
    private long entries;

    /**
     * @param out  where the tar goes (not closed by {@link #close})
     * @param uids host uid → uid in the layer
     * @param gids host gid → gid in the layer
     */
    public LayerTarWriter(OutputStream out, LongUnaryOperator uids, LongUnaryOperator gids) {
        this.tar = new TarArchiveOutputStream(new NonClosing(out), 1 << 16);
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        this.uids = uids;
        this.gids = gids;
    }

    /** How many entries were written so far. */
    public long entries() {
        return entries;
    }

    /**
     * Adds the tree of an overlay upper directory at the layer's root, leaving out the top-level
     * names in {@code skip} (places the sandbox mounts something else over, such as
     * {@code workspace}).
     */
    public void addUpper(Path upper, Set<String> skip) throws IOException {
        if (!Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        walk(upper, "", skip, true);
    }

    /**
     * Adds {@code dir}'s content under {@code name} (one path component), marked opaque: a sandbox
     * made from the layer sees exactly these files there, whatever lower layers hold.
     */
    public void addTree(Path dir, String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.startsWith(".wh.")) {
            throw new IllegalArgumentException("bad top-level name: " + name);
        }
        BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isDirectory()) {
            throw new IOException(dir + " is not a directory");
        }
        directory(dir, name + "/", attrs);
        marker(name + "/" + OPAQUE);
        walk(dir, name + "/", Set.of(), false);
    }

    private void walk(Path root, String prefix, Set<String> skip, boolean overlay) throws IOException {
        if (overlay && opaque(root)) {
            marker(prefix + OPAQUE);
        }
        children(root, prefix, skip, overlay);
    }

    /** Depth first, names sorted: the same files make the same tar. */
    private void children(Path dir, String prefix, Set<String> skip, boolean overlay) throws IOException {
        List<Path> kids;
        try (var listing = Files.list(dir)) {
            kids = listing.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (Path child : kids) {
            String name = child.getFileName().toString();
            if (skip.contains(name)) {
                continue;
            }
            BasicFileAttributes attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isDirectory()) {
                directory(child, prefix + name + "/", attrs);
                if (overlay && opaque(child)) {
                    marker(prefix + name + "/" + OPAQUE);
                }
                children(child, prefix + name + "/", Set.of(), overlay);
            } else {
                file(child, prefix + name, attrs, overlay);
            }
        }
    }

    private static boolean opaque(Path dir) throws IOException {
        byte[] value = LinuxFiles.getXattr(dir, LinuxFiles.OPAQUE_XATTR);
        return value != null && value.length > 0 && value[0] == 'y';
    }

    private void directory(Path d, String name, BasicFileAttributes attrs) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        meta(e, d, attrs);
        put(e);
    }

    private void file(Path f, String name, BasicFileAttributes attrs, boolean overlay) throws IOException {
        if (attrs.isSymbolicLink()) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(f).toString());
            meta(e, f, attrs);
            put(e);
            return;
        }
        if (attrs.isOther()) {
            int mode = (Integer) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(f, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            if (overlay && (mode & 0170000) == 0020000 && rdev == 0) {
                int slash = name.lastIndexOf('/');
                marker(name.substring(0, slash + 1) + WHITEOUT + name.substring(slash + 1));
            }
            return; // devices, FIFOs, sockets: never part of a layer
        }
        if (!attrs.isRegularFile()) {
            return;
        }
        int nlink = (Integer) Files.getAttribute(f, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        if (nlink > 1) {
            String first = linked.putIfAbsent(attrs.fileKey(), name);
            if (first != null) {
                TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
                e.setLinkName(first);
                meta(e, f, attrs);
                put(e);
                return;
            }
        }
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        meta(e, f, attrs);
        e.setSize(attrs.size());
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            long copied = in.transferTo(tar);
            if (copied != attrs.size()) {
                throw new IOException(f + " changed size while it was written into a layer (" + attrs.size() + " → "
                        + copied + " bytes)");
            }
        }
        tar.closeArchiveEntry();
        entries++;
    }

    private void marker(String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        e.setSize(0);
        e.setMode(0100644);
        e.setModTime(0); // markers have no time of their own: the same files make the same bytes
        put(e);
    }

    private void meta(TarArchiveEntry e, Path p, BasicFileAttributes attrs) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int type = attrs.isDirectory() ? 0040000 : attrs.isSymbolicLink() ? 0120000 : 0100000;
        e.setMode(type | (mode & 0777 | (attrs.isDirectory() ? mode & 01000 : 0)));
        e.setUserId(uids.applyAsLong(((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()));
        e.setGroupId(gids.applyAsLong(((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue()));
        e.setModTime(attrs.lastModifiedTime());
    }

    private void put(TarArchiveEntry e) throws IOException {
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        entries++;
    }

    /** Ends the tar (its two zero blocks); the stream given stays open. */
    @Override
    public void close() throws IOException {
        tar.finish();
        tar.close();
    }

    /** Keeps {@link TarArchiveOutputStream#close()} from closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
