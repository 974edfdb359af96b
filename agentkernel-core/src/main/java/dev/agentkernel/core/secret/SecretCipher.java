package dev.agentkernel.core.secret;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts secret values: AES-256-GCM, a random {@value #NONCE_BYTES}-byte nonce per
 * value (each set draws a new one), the secret's name as associated data, so that a value moved to
 * another name in the database does not decrypt. Thread-safe.
 */
public final class SecretCipher {

    /** The nonce's length (GCM's standard 96 bits). */
    public static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /**
     * A cipher with {@code key} ({@value SecretKeyFile#KEY_BYTES} bytes, copied).
     *
     * @throws IllegalArgumentException for a key of another length
     */
    public SecretCipher(byte[] key) {
        if (key.length != SecretKeyFile.KEY_BYTES) {
            throw new IllegalArgumentException("a secrets key has " + SecretKeyFile.KEY_BYTES + " bytes, not "
                    + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Encrypts {@code value} for secret {@code name} with a new random nonce. */
    public SealedValue seal(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, name);
            return new SealedValue(nonce, cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts the value of secret {@code name}.
     *
     * @return the value; empty if {@code sealed} was not encrypted with this key for this name, or was altered
     */
    public Optional<String> open(String name, SealedValue sealed) {
        Objects.requireNonNull(name, "name");
        byte[] nonce = sealed.nonce();
        if (nonce.length != NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            byte[] plain = cipher(Cipher.DECRYPT_MODE, nonce, name).doFinal(sealed.ciphertext());
            try {
                return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plain)).toString());
            } catch (CharacterCodingException e) {
                return Optional.empty();
            } finally {
                java.util.Arrays.fill(plain, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            // AEADBadTagException: another key, another name, or altered bytes; or a ciphertext shorter than the tag
            return Optional.empty();
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String name) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "SecretCipher[AES-256-GCM]";
    }
}
