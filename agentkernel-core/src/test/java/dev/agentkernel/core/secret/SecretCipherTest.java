package dev.agentkernel.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** AES-256-GCM of secret values: round trip, a new nonce each time, and nothing altered or moved decrypts. */
class SecretCipherTest {

    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void aValueComesBackAndIsNotInItsCiphertext() {
        SecretCipher cipher = new SecretCipher(key());
        String value = "sk-live-\u00e9\u00fc:" + "x".repeat(100);
        SealedValue sealed = cipher.seal("API_KEY", value);
        assertThat(sealed.nonce()).hasSize(SecretCipher.NONCE_BYTES);
        assertThat(sealed.ciphertext()).hasSize(value.getBytes(StandardCharsets.UTF_8).length + 16);
        assertThat(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("sk-live");
        assertThat(cipher.open("API_KEY", sealed)).contains(value);
        assertThat(sealed.toString()).doesNotContain("sk-live");
    }

    @Test
    void everySealHasANewNonce() {
        SecretCipher cipher = new SecretCipher(key());
        SealedValue a = cipher.seal("A", "same");
        SealedValue b = cipher.seal("A", "same");
        assertThat(a.nonce()).isNotEqualTo(b.nonce());
        assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    }

    @Test
    void alteredBytesAnotherNameOrAnotherKeyDoNotDecrypt() {
        byte[] key = key();
        SecretCipher cipher = new SecretCipher(key);
        SealedValue sealed = cipher.seal("API_KEY", "value");
        for (int i = 0; i < sealed.ciphertext().length; i++) {
            byte[] tampered = sealed.ciphertext();
            tampered[i] ^= 1;
            assertThat(cipher.open("API_KEY", new SealedValue(sealed.nonce(), tampered))).as("byte %d", i).isEmpty();
        }
        byte[] nonce = sealed.nonce();
        nonce[0] ^= 1;
        assertThat(cipher.open("API_KEY", new SealedValue(nonce, sealed.ciphertext()))).isEmpty();
        assertThat(cipher.open("OTHER_KEY", sealed)).as("moved to another name").isEmpty();
        assertThat(new SecretCipher(key()).open("API_KEY", sealed)).as("another key").isEmpty();
        assertThat(cipher.open("API_KEY", new SealedValue(new byte[5], sealed.ciphertext()))).isEmpty();
        assertThat(cipher.open("API_KEY", new SealedValue(sealed.nonce(), new byte[3]))).isEmpty();
        assertThat(new SecretCipher(key).open("API_KEY", sealed)).contains("value");
    }

    @Test
    void aKeyHas32Bytes() {
        assertThatThrownBy(() -> new SecretCipher(new byte[16])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32");
    }
}
