package dev.agentkernel.core.seccomp;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Stores compiled seccomp programs as content-addressed files ({@code seccomp-<arch>-<sha256
 * prefix>.bpf}) that can be opened and passed to {@code bwrap --seccomp FD}. Files are written to
 * a temporary name and renamed into place atomically, so readers never see a partial program and
 * any number of processes may call {@link #ensure} for the same directory at once.
 */
public final class SeccompFilterFile {
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private SeccompFilterFile() {
    }

    /**
     * Compiles the policy and makes sure a file holding exactly that program exists in
     * {@code directory}, reusing an existing identical file.
     *
     * @param directory where filter files live; created with mode 0700 if missing
     * @param policy    what to deny
     * @param arch      architecture to compile for
     * @return path of the (mode 0644) filter file
     * @throws SandboxFailureException if the directory or file cannot be created or written
     */
    public static Path ensure(Path directory, SeccompPolicy policy, SeccompArch arch) {
        Objects.requireNonNull(directory, "directory");
        byte[] program = SeccompCompiler.compile(policy, arch);
        Path target = directory.resolve(fileName(arch, program));
        try {
            createDirectory(directory);
            if (hasContent(target, program)) {
                return target;
            }
            writeAtomically(directory, target, program);
            return target;
        } catch (IOException e) {
            throw new SandboxFailureException("cannot write seccomp filter file " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns {@code seccomp-<arch>-<length>-<CRC-32C>.bpf}. A checksum, not a cryptographic
     * hash: the name only has to tell filters apart, reuse compares the bytes, and CRC-32C
     * avoids initialising the JDK's security providers on the CLI's start path.
     */
    static String fileName(SeccompArch arch, byte[] program) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(program);
        return "seccomp-" + arch.kernelName() + "-" + program.length + "-" + String.format("%08x", crc.getValue()) + ".bpf";
    }

    private static void createDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
    }

    private static boolean hasContent(Path file, byte[] expected) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != expected.length) {
            return false;
        }
        return Arrays.equals(Files.readAllBytes(file), expected);
    }

    /** Writes to a unique temporary file in the same directory, syncs it, then renames it over the target. */
    private static void writeAtomically(Path directory, Path target, byte[] program) throws IOException {
        Path temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.setPosixFilePermissions(temp, FILE_MODE);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(program);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // rename(2) replaces an existing target atomically; a concurrent writer's file has identical content.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
