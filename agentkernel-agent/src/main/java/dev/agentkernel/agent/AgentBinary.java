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
import java.util.Set;

/**
 * The static agent binary shipped in this jar ({@code dev/agentkernel/agent/ak-agent-<os.arch>},
 * built from {@code src/main/c/ak-agent.c}), and its extraction to a directory that a backend
 * can mount read-only into a sandbox and run as the sandbox's command.
 */
public final class AgentBinary {

    private static final String RESOURCE_PREFIX = "dev/agentkernel/agent/ak-agent-";
    private static final Set<PosixFilePermission> RWXR_XR_X = PosixFilePermissions.fromString("rwxr-xr-x");

    private AgentBinary() {
    }

    /** The class-path resource of the binary for this JVM's architecture, e.g. {@code dev/agentkernel/agent/ak-agent-amd64}. */
    public static String resourceName() {
        return RESOURCE_PREFIX + System.getProperty("os.arch");
    }

    /** Whether this jar has a binary for this JVM's architecture. */
    public static boolean isAvailable() {
        return AgentBinary.class.getClassLoader().getResource(resourceName()) != null;
    }

    /**
     * Makes the binary for this architecture available in {@code dir} (created if missing) and
     * returns its path. The file name holds a hash of the content
     * ({@code ak-agent-<arch>-<16 hex digits>}), so an existing file is reused as it is and
     * different versions never overwrite each other; a new file is written under a temporary
     * name with mode 0755 and renamed into place atomically, so concurrent callers, in this or
     * other processes, never see a partial binary.
     *
     * @throws SandboxFailureException if this build has no binary for the architecture or the
     *                                 directory cannot be written
     */
    public static Path extractTo(Path dir) {
        byte[] binary = load();
        String name = "ak-agent-" + System.getProperty("os.arch") + "-" + sha256(binary).substring(0, 16);
        Path target = dir.resolve(name);
        try {
            if (Files.isRegularFile(target) && Files.size(target) == binary.length && Files.isExecutable(target)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name + "-", ".tmp");
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
            throw new SandboxFailureException("cannot put the sandbox agent into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] load() {
        try (InputStream in = AgentBinary.class.getClassLoader().getResourceAsStream(resourceName())) {
            if (in == null) {
                throw new SandboxFailureException("this build of AgentKernel has no sandbox agent for the "
                        + System.getProperty("os.arch") + " architecture (" + resourceName()
                        + " is missing); build it on such a machine with gcc and libc6-dev installed");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read the sandbox agent from the class path: " + e.getMessage(), e);
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
