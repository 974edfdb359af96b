package dev.agentkernel.core.egress;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Java's trust stores ({@code cacerts}: the JDK's own, or Debian's {@code /etc/ssl/certs/java/cacerts}
 * that the JDKs there link to) with the daemon's certificate authority added, for JVMs in a
 * sandbox under egress control: they read no PEM bundle and no variable of {@link SandboxTrust}.
 * A store is read as PKCS#12 or JKS with the JDK's well-known password {@code changeit} (the
 * password of every distribution's {@code cacerts}, which only guards its integrity) and written
 * back in the same format; one that cannot be read is left as it is.
 */
final class JavaTrustStores {

    /** The password of the JDKs' and distributions' {@code cacerts}. */
    static final char[] PASSWORD = "changeit".toCharArray();
    /** The alias of the daemon's authority in the stores. */
    static final String ALIAS = "agentkernel-egress-ca";
    private static final long MAX_STORE = 8L << 20;

    private JavaTrustStores() {
    }

    /**
     * The bytes of {@code store} (a regular file, not followed if a link) with {@code authorityPem}
     * added as a trusted certificate; empty if it is not a Java trust store this can read.
     */
    static Optional<byte[]> withAuthority(Path store, String authorityPem) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(store, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) MAX_STORE + 1);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (bytes.length > MAX_STORE) {
            return Optional.empty();
        }
        for (String type : List.of("PKCS12", "JKS")) {
            try {
                KeyStore keys = KeyStore.getInstance(type);
                keys.load(new ByteArrayInputStream(bytes), PASSWORD);
                X509Certificate authority = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(authorityPem.getBytes(StandardCharsets.US_ASCII)));
                keys.setCertificateEntry(ALIAS, authority);
                ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 4096);
                keys.store(out, PASSWORD);
                return Optional.of(out.toByteArray());
            } catch (IOException | GeneralSecurityException | ClassCastException e) {
                // not this format (or not a store at all): try the next, else leave it
            }
        }
        return Optional.empty();
    }
}
