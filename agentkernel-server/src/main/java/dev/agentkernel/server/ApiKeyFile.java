package dev.agentkernel.server;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The daemon's own API key, {@code STATE/api-key} (like Jupyter's token): generated on the first
 * start (32 random bytes, URL-safe base64), readable only by the daemon's user (0600), and read by
 * the CLI and the Java SDK on the same machine when {@code AGENTKERNEL_API_KEY} is not set, so
 * that a default daemon needs a key without anyone having to set one up.
 */
public final class ApiKeyFile {

    /** The file's name in the state directory. */
    public static final String NAME = "api-key";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFile() {
    }

    /** Where the key of the daemon with state directory {@code stateDir} lives. */
    public static Path path(Path stateDir) {
        return stateDir.resolve(NAME);
    }

    /**
     * The key in {@code STATE/api-key}, created first if there is none (or it is empty). The file
     * is made owner-only if it was not.
     *
     * @throws SandboxFailureException if the state directory cannot hold it
     */
    public static String loadOrCreate(Path stateDir) {
        Path file = path(stateDir);
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(file)) {
                String key = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!key.isEmpty() && key.chars().noneMatch(c -> c <= ' ' || c == ',')) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                    return key;
                }
            }
            String key = generate();
            Path tmp = file.resolveSibling(NAME + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("a temporary key file appeared while writing it: " + tmp, e);
            }
            Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return key;
        } catch (IOException | UnsupportedOperationException e) {
            throw new SandboxFailureException("cannot read or create the API key file " + file + ": " + e.getMessage()
                    + " (set AGENTKERNEL_API_KEY, or start with --no-auth to serve without a key)", e);
        }
    }

    /** A new key: 32 bytes from {@link SecureRandom}, URL-safe base64 without padding (43 characters). */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
