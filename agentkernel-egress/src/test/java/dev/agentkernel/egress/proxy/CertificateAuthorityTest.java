package dev.agentkernel.egress.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

    @TempDir
    Path dir;

    @Test
    void isMadeOnceAndReusedAcrossOpens() throws Exception {
        CertificateAuthority first = CertificateAuthority.open(dir.resolve("ca"));
        CertificateAuthority second = CertificateAuthority.open(dir.resolve("ca"));

        assertThat(second.certificate()).isEqualTo(first.certificate());
        assertThat(first.certificatePem()).isEqualTo(dir.resolve("ca/ca.crt"));
        assertThat(Files.readString(first.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/ca.key")))).isEqualTo("rw-------");
        assertThat(first.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void signsALeafForEachNameWithThatNameOnly() throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dir);

        X509Certificate[] chain = chain(ca, "api.example.test");
        X509Certificate[] address = chain(ca, "192.0.2.7");

        chain[0].verify(ca.certificate().getPublicKey());
        chain[0].checkValidity();
        assertThat(chain[0].getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1)).containsExactly((Object) "api.example.test");
        assertThat(chain[0].getBasicConstraints()).isEqualTo(-1);
        assertThat(chain[0].getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(address[0].getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1)).containsExactly((Object) "192.0.2.7");
        assertThat(ca.serverContextFor("api.example.test")).isSameAs(ca.serverContextFor("api.example.test"));
    }

    private static X509Certificate[] chain(CertificateAuthority ca, String host) {
        X509Certificate[] chain = ca.chainFor(host);
        assertThat(chain).hasSize(2);
        assertThat(chain[1]).isEqualTo(ca.certificate());
        return chain;
    }
}
