package dev.agentkernel.core.secret;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The daemon's secrets: set (create or replace), list and remove on request, their values
 * encrypted at rest by a {@link SecretCipher} whose key is in a file of its own ({@link
 * SecretKeyFile}), and read back only by {@link #value}, for the sandboxes they are granted to.
 * Lists and events carry names and dates, never values; no message or log names a value.
 *
 * <p>The key file is read when the manager is made if it exists (a refused key file stops the
 * daemon, with the reason and the fix), else created with the first secret. If it is missing
 * while secrets are stored (encrypted with a key now gone), they can be listed and removed but
 * not read, and no new secret is set until they are removed or the key is restored.
 *
 * <p>Thread-safe: changes are serialized by one lock.
 */
public final class SecretManager {

    private final SecretStore store;
    private final AuditLog audit;
    private final Path keyFile;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Null until the key file exists. */
    private SecretCipher cipher;

    /**
     * A manager over {@code store}, its key in {@code keyFile} ({@code STATE/secrets.key}).
     *
     * @throws SandboxFailureException if the key file exists and is refused (its mode, its size,
     *                                 not a regular file), saying how to fix it
     */
    public SecretManager(SecretStore store, AuditLog audit, Path keyFile) {
        this(store, audit, keyFile, Clock.systemUTC());
    }

    /** As {@link #SecretManager(SecretStore, AuditLog, Path)}, with a clock (for tests). */
    public SecretManager(SecretStore store, AuditLog audit, Path keyFile, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.keyFile = keyFile.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
        if (SecretKeyFile.exists(this.keyFile)) {
            cipher = open(() -> SecretKeyFile.read(this.keyFile));
        }
    }

    /** The key file ({@code STATE/secrets.key}). */
    public Path keyFile() {
        return keyFile;
    }

    /**
     * Sets secret {@code name} to {@code value}: creates it, or replaces the value of the one of
     * that name (which keeps its creation date). Audited {@code secret_set} (name and whether it
     * was created; never the value).
     *
     * @return the secret's name and dates
     * @throws dev.agentkernel.model.InvalidRequestException for a bad name or value
     * @throws ConflictException if the key file is gone while secrets encrypted with it are stored
     */
    public SecretInfo set(String name, String value) {
        SecretNames.requireValid(name);
        SecretNames.requireValidValue(name, value);
        return locked(() -> {
            SecretCipher c = cipherForWriting();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Optional<SecretRecord> old = store.find(name);
            SecretRecord record = new SecretRecord(name, c.seal(name, value),
                    old.map(SecretRecord::createdAt).orElse(now), now);
            store.put(record);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("secret", name);
            details.put("created", old.isEmpty());
            audit.append(AuditEvent.now(AuditEventType.SECRET_SET, null, details));
            return record.info();
        });
    }

    /** Every secret's name and dates, by name; never values. */
    public List<SecretInfo> list() {
        return store.list();
    }

    /**
     * The name and dates of secret {@code name}; never its value.
     *
     * @throws NotFoundException if there is none
     */
    public SecretInfo get(String name) {
        return require(SecretNames.requireValid(name)).info();
    }

    /** Whether a secret of that name is stored. */
    public boolean exists(String name) {
        return SecretNames.isValid(name) && store.find(name).isPresent();
    }

    /**
     * Removes secret {@code name}. Audited {@code secret_removed}. Sandboxes it was granted to
     * keep the value they were granted until they end.
     *
     * @throws NotFoundException if there is none
     */
    public void remove(String name) {
        SecretNames.requireValid(name);
        locked(() -> {
            if (!store.delete(name)) {
                throw notFound(name);
            }
            audit.append(AuditEvent.now(AuditEventType.SECRET_REMOVED, null, Map.of("secret", name)));
            return null;
        });
    }

    /**
     * The value of secret {@code name}, decrypted: only for granting it to a sandbox's proxy
     * ({@link SecretGrants}). Never put it in an answer, an event, a log or a message.
     *
     * @throws NotFoundException       if there is none
     * @throws SandboxFailureException if it cannot be decrypted (the key file is missing or is not
     *                                 the one it was stored with, or the stored bytes were altered)
     */
    public String value(String name) {
        SecretRecord record = require(SecretNames.requireValid(name));
        SecretCipher c;
        lock.lock();
        try {
            c = cipher;
        } finally {
            lock.unlock();
        }
        if (c == null) {
            throw new SandboxFailureException("secret '" + name + "' cannot be decrypted: the secrets key file "
                    + keyFile + " is missing; restore it (and restart the daemon), or set the secret again");
        }
        return c.open(name, record.value()).orElseThrow(() -> new SandboxFailureException("secret '" + name
                + "' cannot be decrypted with the secrets key file " + keyFile + ": the file is not the key the secret"
                + " was stored with, or the stored value was altered; restore the original key file, or set the"
                + " secret again"));
    }

    /**
     * Seals a value that belongs to one sandbox (a create request's {@code KEY=value:host}) for
     * keeping with the sandbox: encrypted with the secrets key, bound to {@code context} (the
     * sandbox and the secret's name), as base64 text.
     *
     * @throws ConflictException if the key file is gone while secrets encrypted with it are stored
     */
    public String seal(String context, String value) {
        SealedValue sealed = locked(() -> cipherForWriting().seal(context, value));
        byte[] both = new byte[sealed.nonce().length + sealed.ciphertext().length];
        System.arraycopy(sealed.nonce(), 0, both, 0, sealed.nonce().length);
        System.arraycopy(sealed.ciphertext(), 0, both, sealed.nonce().length, sealed.ciphertext().length);
        return java.util.Base64.getEncoder().encodeToString(both);
    }

    /**
     * The value {@link #seal} sealed under {@code context}.
     *
     * @throws SandboxFailureException if it cannot be opened (another key, altered, another context)
     */
    public String unseal(String context, String sealed) {
        SecretCipher c = locked(() -> cipher);
        byte[] both;
        try {
            both = java.util.Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            both = new byte[0];
        }
        if (c == null || both.length <= SecretCipher.NONCE_BYTES) {
            throw new SandboxFailureException("a secret value kept with a sandbox (" + context + ") cannot be opened: "
                    + "the secrets key file " + keyFile + " is missing or the stored value is damaged");
        }
        SealedValue value = new SealedValue(java.util.Arrays.copyOf(both, SecretCipher.NONCE_BYTES),
                java.util.Arrays.copyOfRange(both, SecretCipher.NONCE_BYTES, both.length));
        return c.open(context, value).orElseThrow(() -> new SandboxFailureException("a secret value kept with a "
                + "sandbox (" + context + ") cannot be opened with the secrets key file " + keyFile
                + ": not the key it was sealed with, or the stored value was altered"));
    }

    private SecretCipher cipherForWriting() {
        if (cipher != null) {
            return cipher;
        }
        int stored = store.count();
        if (stored > 0) {
            throw new ConflictException("the secrets key file " + keyFile + " is missing but " + stored
                    + " secret(s) encrypted with it are stored: restore the key file and restart the daemon, or"
                    + " remove those secrets (agentkernel secret rm NAME) before setting new ones");
        }
        cipher = open(() -> SecretKeyFile.readOrCreate(keyFile));
        return cipher;
    }

    private static SecretCipher open(Supplier<byte[]> key) {
        byte[] bytes = key.get();
        try {
            return new SecretCipher(bytes);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    private SecretRecord require(String name) {
        return store.find(name).orElseThrow(() -> notFound(name));
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("Secret '" + name + "' not found");
    }

    private <T> T locked(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SecretManager[" + keyFile + "]";
    }
}
