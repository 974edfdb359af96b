package dev.agentkernel.image.archive;

import dev.agentkernel.image.oci.OciFormatException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Files of an archive by relative path: a directory or a tar. Paths never leave the archive:
 * {@code ..} and absolute paths are refused, and symbolic links are not followed out of it (a
 * tar's links, as older {@code docker save} writes for shared layers, resolve inside the tar).
 */
sealed interface ArchiveSource extends AutoCloseable {

    boolean exists(String path);

    InputStream open(String path) throws IOException;

    @Override
    void close() throws IOException;

    static List<String> clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw new OciFormatException("the archive refers to '" + path + "', outside itself");
                }
                parts.removeLast();
                continue;
            }
            parts.add(p);
        }
        if (parts.isEmpty()) {
            throw new OciFormatException("the archive refers to an empty path");
        }
        return parts;
    }

    /** An OCI layout directory. */
    final class Directory implements ArchiveSource {
        private final Path root;

        Directory(Path root) throws IOException {
            this.root = root.toRealPath();
        }

        private Path resolve(String path) throws IOException {
            Path p = root.resolve(String.join("/", clean(path)));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(path + " in " + root);
            }
            Path real = p.toRealPath();
            if (!real.startsWith(root) || !Files.isRegularFile(real)) {
                throw new OciFormatException(path + " in " + root + " is not a file inside the layout");
            }
            return real;
        }

        @Override
        public boolean exists(String path) {
            try {
                resolve(path);
                return true;
            } catch (IOException | OciFormatException e) {
                return false;
            }
        }

        @Override
        public InputStream open(String path) throws IOException {
            return Files.newInputStream(resolve(path));
        }

        @Override
        public void close() {
        }
    }

    /** A tar file (docker save, or a tar of an OCI layout), read in place. */
    final class Tar implements ArchiveSource {
        private final Path file;
        private final TarFile tar;
        private final Map<String, TarArchiveEntry> entries = new HashMap<>();

        Tar(Path file) throws IOException {
            this.file = file;
            try {
                this.tar = new TarFile(file);
            } catch (IOException e) {
                throw new OciFormatException(file + " is not a readable tar archive: " + e.getMessage(), e);
            }
            for (TarArchiveEntry e : tar.getEntries()) {
                try {
                    entries.put(String.join("/", clean(e.getName())), e);
                } catch (OciFormatException ignored) {
                    // "./" itself or an entry outside: never addressable
                }
            }
        }

        private TarArchiveEntry find(String path) throws IOException {
            String key = String.join("/", clean(path));
            for (int hops = 0; hops < 16; hops++) {
                TarArchiveEntry e = entries.get(key);
                if (e == null) {
                    throw new NoSuchFileException(path + " in the archive");
                }
                if (e.isSymbolicLink() || e.isLink()) {
                    String target = e.getLinkName();
                    String base = e.isSymbolicLink() && key.contains("/") && !target.startsWith("/")
                            ? key.substring(0, key.lastIndexOf('/') + 1) : "";
                    key = String.join("/", clean(base + target));
                    continue;
                }
                if (!e.isFile()) {
                    throw new OciFormatException(path + " in the archive is not a file");
                }
                return e;
            }
            throw new OciFormatException(path + " in the archive is a chain of too many links");
        }

        @Override
        public boolean exists(String path) {
            try {
                find(path);
                return true;
            } catch (IOException | OciFormatException e) {
                return false;
            }
        }

        /**
         * A stream of its own over the entry's bytes: layers are copied in parallel, and streams of
         * {@link TarFile#getInputStream} share one channel whose position they race for (found
         * by ImportIT: blobs of the same archive read back with other blobs' bytes mixed in).
         */
        @Override
        public InputStream open(String path) throws IOException {
            TarArchiveEntry entry = find(path);
            if (entry.isSparse()) {
                throw new OciFormatException(path + " in the archive is a sparse file, which no image tool writes");
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                channel.position(entry.getDataOffset());
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            return new Bounded(Channels.newInputStream(channel), entry.getSize());
        }

        /** At most {@code remaining} bytes of {@code in}. */
        private static final class Bounded extends FilterInputStream {
            private long remaining;

            Bounded(InputStream in, long remaining) {
                super(in);
                this.remaining = remaining;
            }

            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b >= 0) {
                    remaining--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = in.skip(Math.min(n, remaining));
                remaining -= skipped;
                return skipped;
            }

            @Override
            public int available() throws IOException {
                return (int) Math.min(in.available(), remaining);
            }
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }
}
