package dev.agentkernel.core.secret;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The key that encrypts secrets at rest: {@value #KEY_BYTES} random bytes in a file of their own
 * ({@code STATE/secrets.key}), outside the state database, so that a copy of the database alone
 * reveals no value. The file is created on first use, mode 0600, atomically (written under a
 * temporary name, then linked to its name, which fails if another process made it meanwhile). A
 * key file that is not a regular file, that the group or others may access, that another user
 * owns, or that is not exactly {@value #KEY_BYTES} bytes long is refused: it is not used, and not
 * replaced.
 */
public final class SecretKeyFile {

    /** The key's length: AES-256. */
    public static final int KEY_BYTES = 32;
    /** The file's name in the state directory. */
    public static final String NAME = "secrets.key";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretKeyFile() {
    }

    /** Whether {@code file} exists (a link counts, and is refused by {@link #read}). */
    public static boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Reads and checks the key in {@code file}.
     *
     * @throws SandboxFailureException saying what is wrong with the file and how to fix it
     */
    public static byte[] read(Path file) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new SandboxFailureException("the secrets key file " + file + " does not exist");
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read the secrets key file " + file + ": " + e.getMessage(), e);
        }
        if (!attributes.isRegularFile()) {
            throw new SandboxFailureException("the secrets key file " + file + " is not a regular file"
                    + (attributes.isSymbolicLink() ? " (a symbolic link)" : "") + "; refusing to use it: put the key"
                    + " file itself there");
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        loose.addAll(attributes.permissions());
        loose.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!loose.isEmpty()) {
            throw new SandboxFailureException("the secrets key file " + file + " has mode "
                    + PosixFilePermissions.toString(attributes.permissions()) + ": others than its owner may read it,"
                    + " so the secrets it encrypts may be known; refusing to use it. If nobody else read it: chmod 600 "
                    + file + "; otherwise remove it and set every secret again");
        }
        Optional<Integer> owner = uid(file);
        Optional<Integer> self = uid(Path.of("/proc/self"));
        if (owner.isPresent() && self.isPresent() && !owner.equals(self)) {
            throw new SandboxFailureException("the secrets key file " + file + " belongs to uid " + owner.get()
                    + ", not to the daemon's user (uid " + self.get() + "): another user may have written or read it;"
                    + " refusing to use it. Give it to the daemon's user (chown), or remove it and set every secret again");
        }
        if (attributes.size() != KEY_BYTES) {
            throw new SandboxFailureException("the secrets key file " + file + " is " + attributes.size()
                    + " bytes long, not " + KEY_BYTES + ": it is not a key this daemon wrote (damaged or replaced);"
                    + " restore the original, or remove it and set every secret again");
        }
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer key = ByteBuffer.allocate(KEY_BYTES + 1);
            while (key.hasRemaining() && in.read(key) > 0) {
                // read it all (a file growing meanwhile is caught below)
            }
            if (key.position() != KEY_BYTES) {
                throw new SandboxFailureException("the secrets key file " + file + " changed while it was read ("
                        + key.position() + " bytes, not " + KEY_BYTES + ")");
            }
            byte[] bytes = new byte[KEY_BYTES];
            key.flip().get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read the secrets key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the key in {@code file}, first creating it with a new random key if there is none.
     *
     * @throws SandboxFailureException if it cannot be created, or exists and is refused by {@link #read}
     */
    public static byte[] readOrCreate(Path file) {
        if (!exists(file)) {
            create(file);
        }
        return read(file);
    }

    private static void create(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        Path temporary = dir.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(nonce()) + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(temporary, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                ByteBuffer buffer = ByteBuffer.wrap(key);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.createLink(file, temporary); // fails if the name exists: never replaces a key
            } catch (FileAlreadyExistsException raced) {
                return; // another process made it meanwhile: that one is the key
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create the secrets key file " + file + ": " + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // a stray temporary file holds a key nobody uses
            }
        }
    }

    /** The owner's uid of {@code path} (not following links), where the file system says. */
    private static Optional<Integer> uid(Path path) {
        try {
            return Optional.of((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static byte[] nonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be synced; the key is written and linked
        }
    }
}
