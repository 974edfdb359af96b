package dev.agentkernel.core.secret;

import java.util.Arrays;
import java.util.Objects;

/**
 * A secret's value as stored: encrypted by {@link SecretCipher}.
 *
 * @param nonce      the 12 random bytes it was encrypted with (never used for another value)
 * @param ciphertext the encrypted value followed by its 16-byte authentication tag
 */
public record SealedValue(byte[] nonce, byte[] ciphertext) {

    /** Validates and copies. */
    public SealedValue {
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(ciphertext, "ciphertext");
        nonce = nonce.clone();
        ciphertext = ciphertext.clone();
    }

    /** A copy of the nonce. */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** A copy of the ciphertext. */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedValue s && Arrays.equals(nonce, s.nonce) && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nonce) + Arrays.hashCode(ciphertext);
    }

    /** Sizes only. */
    @Override
    public String toString() {
        return "SealedValue[" + ciphertext.length + " bytes]";
    }
}
