package dev.agentkernel.agent;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A static executable shipped as a class-path resource for this JVM's architecture
 * ({@code <prefix><os.arch>}, e.g. {@code dev/agentkernel/agent/ak-agent-amd64}), and its
 * extraction to a directory from which it can be run.
 *
 * <p>The extracted file's name holds a hash of the content ({@code <name>-<arch>-<16 hex
 * digits>}; the build records it beside the binary as {@code <resource>.sha256}, "HEX SIZE", so
 * that finding an existing copy reads neither the binary nor hashes it: a JVM that just
 * started spent tens of milliseconds on that), so an existing file is reused as it is and
 * different versions never overwrite each other; a new file is written under a temporary name with mode 0755 and renamed into
 * place atomically, so concurrent callers, in this or other processes, never see a partial
 * binary.
 *
 * @param loader         the class loader that holds the resource
 * @param resourcePrefix the resource's name without the architecture
 * @param name           the program's name, used in file names and messages
 * @param buildHint      how to get a build that has the binary, for the error message
 */
public record ExecutableResource(ClassLoader loader, String resourcePrefix, String name, String buildHint) {

    private static final Set<PosixFilePermission> RWXR_XR_X = PosixFilePermissions.fromString("rwxr-xr-x");

    /** Validates. */
    public ExecutableResource {
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(resourcePrefix, "resourcePrefix");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(buildHint, "buildHint");
    }

    /** The class-path resource of the binary for this JVM's architecture. */
    public String resourceName() {
        return resourcePrefix + System.getProperty("os.arch");
    }

    /** Whether the class path has a binary for this JVM's architecture. */
    public boolean isAvailable() {
        return loader.getResource(resourceName()) != null;
    }

    /**
     * Makes the binary available in {@code dir} (created if missing) and returns its path.
     *
     * @throws SandboxFailureException if there is no binary for this architecture or the
     *                                 directory cannot be written
     */
    public Path extractTo(Path dir) {
        Optional<Recorded> recorded = recorded();
        if (recorded.isPresent()) { // the build's digest: the binary is read from the jar only to extract it
            Path target = dir.resolve(fileName(recorded.get().sha256()));
            if (extracted(target, recorded.get().size())) {
                return target;
            }
        }
        byte[] binary = load();
        String sha256 = sha256(binary);
        if (recorded.isPresent() && !recorded.get().sha256().equals(sha256)) {
            throw new SandboxFailureException("this build of AgentKernel is inconsistent: " + resourceName()
                    + " does not match its recorded digest " + resourceName() + ".sha256; " + buildHint);
        }
        Path target = dir.resolve(fileName(sha256));
        try {
            if (extracted(target, binary.length)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName() + "-", ".tmp");
            try {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer buffer = ByteBuffer.wrap(binary);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    out.force(true);
                }
                Files.setPosixFilePermissions(tmp, RWXR_XR_X);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxFailureException("cannot put " + name + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The digest and size the build recorded beside the binary ({@code scripts/build-c.sh}). */
    private record Recorded(String sha256, long size) {
    }

    private Optional<Recorded> recorded() {
        try (InputStream in = loader.getResourceAsStream(resourceName() + ".sha256")) {
            if (in == null) {
                return Optional.empty();
            }
            String[] fields = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip().split(" ");
            if (fields.length != 2 || fields[0].length() != 64 || !only(fields[0], "0123456789abcdef")
                    || fields[1].isEmpty() || fields[1].length() > 12 || !only(fields[1], "0123456789")) {
                return Optional.empty(); // checked by hand: a regular expression costs a fresh JVM milliseconds
            }
            return Optional.of(new Recorded(fields[0], Long.parseLong(fields[1])));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean only(String text, String allowed) {
        for (int i = 0; i < text.length(); i++) {
            if (allowed.indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private String fileName(String sha256) {
        return name + "-" + System.getProperty("os.arch") + "-" + sha256.substring(0, 16);
    }

    private static boolean extracted(Path target, long size) {
        try {
            return Files.isRegularFile(target) && Files.size(target) == size && Files.isExecutable(target);
        } catch (IOException e) {
            return false;
        }
    }

    private byte[] load() {
        try (InputStream in = loader.getResourceAsStream(resourceName())) {
            if (in == null) {
                throw new SandboxFailureException("this build of AgentKernel has no " + name + " for the "
                        + System.getProperty("os.arch") + " architecture (" + resourceName() + " is missing); "
                        + buildHint);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read " + name + " from the class path: " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
