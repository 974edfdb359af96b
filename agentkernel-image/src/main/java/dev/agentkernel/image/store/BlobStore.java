package dev.agentkernel.image.store;

import dev.agentkernel.image.oci.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * Blobs by digest under {@code blobs/<algorithm>/<hex>}. A blob is written to a temporary file
 * while it is hashed, checked against the digest it was asked for, flushed to disk and then
 * renamed into place: a blob that exists is complete and verified; a mismatch keeps nothing.
 */
final class BlobStore {

    /** Writes a blob's bytes; called again with a fresh stream when an attempt failed. */
    @FunctionalInterface
    interface BlobWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path blobs;
    private final Path tmp;

    BlobStore(Path blobs, Path tmp) {
        this.blobs = blobs;
        this.tmp = tmp;
    }

    Path path(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    boolean has(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Stores the blob {@code writer} produces, refusing it when it does not hash to {@code expected}
     * or is longer than {@code maxBytes} (negative: no bound). IOExceptions of the writer are
     * retried up to {@code attempts} times in all; a digest mismatch is not.
     */
    Path ingest(Digest expected, long maxBytes, int attempts, BlobWriter writer, LongConsumer progress)
            throws IOException {
        Path target = path(expected);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Path temp = Files.createTempFile(tmp, "blob-", ".part");
            boolean published = false;
            try {
                MessageDigest md = expected.newMessageDigest();
                long written;
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    Hashing out = new Hashing(Channels.newOutputStream(channel), md, maxBytes, expected, progress);
                    writer.writeTo(out);
                    out.flush();
                    written = out.count;
                    channel.force(true);
                }
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equals(expected.hex())) {
                    throw new DigestMismatchException("blob " + expected + " has the wrong content: its "
                            + written + " bytes hash to " + expected.algorithm() + ":" + actual
                            + "; nothing was stored (a corrupted or tampered registry or archive)");
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cannot rename into " + target + " atomically", e);
                }
                published = true;
                return target;
            } catch (IOException e) {
                last = e;
                if (attempt < attempts) {
                    progress.accept(-1); // restart
                    sleepBackoff(attempt);
                }
            } finally {
                if (!published) {
                    Files.deleteIfExists(temp);
                }
            }
        }
        throw last;
    }

    /**
     * Takes {@code file} as the blob {@code digest}, which its writer computed as it wrote it:
     * flushed and renamed into place (copied when it is on another file system), or deleted when
     * the store has that blob already. The file is gone afterwards.
     */
    Path adopt(Digest digest, Path file) throws IOException {
        Path target = path(digest);
        if (Files.isRegularFile(target)) {
            Files.deleteIfExists(file);
            return target;
        }
        Files.createDirectories(target.getParent());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            ingest(digest, -1, 1, out -> Files.copy(file, out), n -> { });
            Files.deleteIfExists(file);
        }
        return target;
    }

    /** Deletes a blob (one that turned out to be unusable right after it was adopted). */
    void delete(Digest digest) throws IOException {
        Files.deleteIfExists(path(digest));
    }

    /** Stores bytes already in memory. */
    Path put(Digest expected, byte[] bytes) throws IOException {
        return ingest(expected, -1, 1, out -> out.write(bytes), n -> { });
    }

    static void sleepBackoff(int attempt) throws IOException {
        long millis = Math.min(5_000, 200L << (attempt - 1)) + (long) (Math.random() * 100);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** Hashes and counts what passes, reporting progress; refuses past the bound. */
    private static final class Hashing extends FilterOutputStream {
        final MessageDigest md;
        final long max;
        final Digest expected;
        final LongConsumer progress;
        long count;

        Hashing(OutputStream out, MessageDigest md, long max, Digest expected, LongConsumer progress) {
            super(out);
            this.md = md;
            this.max = max;
            this.expected = expected;
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (max >= 0 && count > max) {
                throw new DigestMismatchException("blob " + expected + " is longer than the " + max
                        + " bytes its descriptor gives; refused");
            }
            md.update(b, off, len);
            out.write(b, off, len);
            progress.accept(len);
        }
    }
}
