package dev.agentkernel.core.session;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The interpreter driver programs shipped in this jar
 * ({@code dev/agentkernel/core/session/python_driver.py}, {@code node_driver.js},
 * {@code bash_driver.sh}) and their extraction to a directory that a backend can mount
 * read-only into a sandbox (for example at {@code /.ak/session}).
 */
public final class DriverFiles {

    static final String RESOURCE_PREFIX = "dev/agentkernel/core/session/";
    private static final Set<PosixFilePermission> RW_R_R = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> RWXR_XR_X = PosixFilePermissions.fromString("rwxr-xr-x");

    private DriverFiles() {
    }

    /**
     * Makes the three drivers available in a subdirectory of {@code dir} (created if missing)
     * and returns that subdirectory, which holds each driver under its
     * {@link InterpreterTemplate#driverFileName() fixed name}. The subdirectory's name holds a
     * hash of all drivers' content ({@code drivers-<16 hex digits>}), so an existing one is
     * reused as it is and different versions never overwrite each other; a new one is written
     * under a temporary name and renamed into place atomically, so concurrent callers, in this
     * or other processes, never see partial files.
     *
     * @throws SandboxFailureException if a driver is missing from the class path or the
     *                                 directory cannot be written
     */
    public static Path extractTo(Path dir) {
        Map<InterpreterTemplate, byte[]> contents = load();
        Path target = dir.resolve("drivers-" + hash(contents).substring(0, 16));
        try {
            if (isComplete(target, contents)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".drivers-");
            try {
                for (Map.Entry<InterpreterTemplate, byte[]> e : contents.entrySet()) {
                    Path file = tmp.resolve(e.getKey().driverFileName());
                    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        ByteBuffer buffer = ByteBuffer.wrap(e.getValue());
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                        out.force(true);
                    }
                    Files.setPosixFilePermissions(file, RW_R_R);
                }
                Files.setPosixFilePermissions(tmp, RWXR_XR_X);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // another caller put the same content there first
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
            } finally {
                deleteTree(tmp);
            }
            if (!isComplete(target, contents)) {
                throw new IOException(target + " exists but does not hold the expected drivers");
            }
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxFailureException("cannot put the interpreter drivers into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The driver program of {@code template}, as text. */
    public static String source(InterpreterTemplate template) {
        return new String(load(template), StandardCharsets.UTF_8);
    }

    private static boolean isComplete(Path target, Map<InterpreterTemplate, byte[]> contents) throws IOException {
        if (!Files.isDirectory(target)) {
            return false;
        }
        for (Map.Entry<InterpreterTemplate, byte[]> e : contents.entrySet()) {
            Path file = target.resolve(e.getKey().driverFileName());
            if (!Files.isRegularFile(file) || Files.size(file) != e.getValue().length) {
                return false;
            }
        }
        return true;
    }

    private static Map<InterpreterTemplate, byte[]> load() {
        Map<InterpreterTemplate, byte[]> contents = new EnumMap<>(InterpreterTemplate.class);
        for (InterpreterTemplate t : InterpreterTemplate.values()) {
            contents.put(t, load(t));
        }
        return contents;
    }

    private static byte[] load(InterpreterTemplate template) {
        try (InputStream in = DriverFiles.class.getClassLoader().getResourceAsStream(template.resourceName())) {
            if (in == null) {
                throw new SandboxFailureException("this build of AgentKernel has no " + template.id()
                        + " interpreter driver (" + template.resourceName() + " is missing from the class path)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read the " + template.id() + " interpreter driver from the class path: "
                    + e.getMessage(), e);
        }
    }

    private static String hash(Map<InterpreterTemplate, byte[]> contents) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<InterpreterTemplate, byte[]> e : contents.entrySet()) {
                digest.update(e.getKey().driverFileName().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Long.toString(e.getValue().length).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(e.getValue());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
