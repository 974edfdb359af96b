package dev.agentkernel.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.model.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTrustLayersTest {

    private static final String AUTHORITY = "-----BEGIN CERTIFICATE-----\nAK\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    private RootFs.Image image(Path... layers) throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc-online/etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.createDirectories(dir.resolve("etc-online/workspace"));
        return new RootFs.Image("example/img:1", "sha256:00", List.of(layers), dir.resolve("etc-online"),
                dir.resolve("etc-offline"), new RootFs.ImageSettings(Map.of(), Optional.empty(), List.of(), List.of()),
                Optional.empty());
    }

    private Path layer(String name, Map<String, String> files) throws IOException {
        Path layer = Files.createDirectories(dir.resolve(name));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = layer.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            if (f.getValue().startsWith("->")) {
                Files.createSymbolicLink(p, Path.of(f.getValue().substring(2)));
            } else if (f.getValue().equals("/")) {
                Files.createDirectories(p);
            } else {
                Files.writeString(p, f.getValue());
            }
        }
        return layer;
    }

    @Test
    void theTopMostBundleGetsTheAuthorityAndAnchorDirectoriesGetItAlone() throws IOException {
        Path base = layer("l0", Map.of("etc/ssl/certs/ca-certificates.crt", "OLD\n",
                "usr/local/share/ca-certificates", "/"));
        Path top = layer("l1", Map.of("etc/ssl/certs/ca-certificates.crt", "IMAGE-CAS"));
        RootFs.Image trusted = ImageTrustLayers.trusting(image(base, top), dir.resolve("layers"), AUTHORITY);

        Path layer = trusted.etcOnline();
        assertThat(layer).isNotEqualTo(dir.resolve("etc-online"));
        assertThat(Files.readString(layer.resolve("etc/ssl/certs/ca-certificates.crt"))).isEqualTo("IMAGE-CAS\n" + AUTHORITY);
        assertThat(Files.readString(layer.resolve("usr/local/share/ca-certificates/agentkernel-egress-ca.crt")))
                .isEqualTo(AUTHORITY);
        assertThat(layer.resolve("etc/passwd")).as("the generated files are kept").hasContent("root:x:0:0::/root:/bin/sh");
        assertThat(layer.resolve("workspace")).isDirectory();
        assertThat(layer.resolve("etc/pki")).as("nothing where the image has nothing").doesNotExist();
        // made once: the same image and authority give the same layer
        assertThat(ImageTrustLayers.trusting(image(base, top), dir.resolve("layers"), AUTHORITY).etcOnline())
                .isEqualTo(layer);
        assertThat(ImageTrustLayers.trusting(image(base, top), dir.resolve("layers"), AUTHORITY + "x").etcOnline())
                .isNotEqualTo(layer);
    }

    @Test
    void linksOnTheWayAreLeftAlone() throws IOException {
        // RHEL's bundle is a link to the extracted one; Alpine's /etc/ssl/cert.pem a link to the Debian path
        Path base = layer("l0", Map.of("etc/pki/tls/certs/ca-bundle.crt", "->/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "RHEL\n",
                "etc/pki/ca-trust/source/anchors", "/",
                "usr/local", "->/opt/elsewhere"));
        Path top = layer("l1", Map.of("etc/ssl", "->/host/ssl"));
        Path layer = ImageTrustLayers.trusting(image(base, top), dir.resolve("layers"), AUTHORITY).etcOnline();

        assertThat(Files.readString(layer.resolve("etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem")))
                .isEqualTo("RHEL\n" + AUTHORITY);
        assertThat(layer.resolve("etc/pki/tls")).as("a link in the image is not replaced").doesNotExist();
        assertThat(layer.resolve("etc/ssl")).as("a linked directory is not hidden").doesNotExist();
        assertThat(layer.resolve("usr")).doesNotExist();
        assertThat(layer.resolve("etc/pki/ca-trust/source/anchors/agentkernel-egress-ca.crt")).hasContent(AUTHORITY.strip());
    }

    @Test
    void aLayerOfARemovedImageIsPrunedWhenTheNextIsMade() throws IOException {
        Path base = layer("l0", Map.of("etc/ssl/certs/ca-certificates.crt", "X\n"));
        Path first = ImageTrustLayers.trusting(image(base), dir.resolve("layers"), AUTHORITY).etcOnline();
        RootFs.Image other = image(base).withEtcOnline(Files.createDirectories(dir.resolve("other-online/etc")).getParent());
        // the first image's generated layer goes away (its image was removed)
        dev.agentkernel.core.sandbox.SandboxDirs.deleteTree(dir.resolve("etc-online"));
        Path second = ImageTrustLayers.trusting(other, dir.resolve("layers"), AUTHORITY).etcOnline();
        assertThat(first).doesNotExist();
        assertThat(second).isDirectory();
    }

    @Test
    void javaTrustStoresOfTheImageGetTheAuthority() throws Exception {
        String authority = Files.readString(dev.agentkernel.egress.proxy.CertificateAuthority.open(dir.resolve("ca"))
                .certificatePem());
        Path base = layer("l0", Map.of("usr/lib/jvm/jdk-21/lib/security", "/", "usr/lib/jvm/jdk-17/lib/security/cacerts",
                "->/etc/ssl/certs/java/cacerts", "etc/ssl/certs/java", "/"));
        java.security.KeyStore jks = java.security.KeyStore.getInstance("JKS");
        jks.load(null, null);
        jks.setCertificateEntry("other", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                new java.io.ByteArrayInputStream(authority.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        try (var out = Files.newOutputStream(base.resolve("etc/ssl/certs/java/cacerts"))) {
            jks.store(out, JavaTrustStores.PASSWORD);
        }
        java.security.KeyStore p12 = java.security.KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        try (var out = Files.newOutputStream(base.resolve("usr/lib/jvm/jdk-21/lib/security/cacerts"))) {
            p12.store(out, JavaTrustStores.PASSWORD);
        }
        Files.writeString(base.resolve("etc/ssl/certs/java/not-a-store"), "x");

        Path layer = ImageTrustLayers.trusting(image(base), dir.resolve("layers"), authority).etcOnline();

        for (String store : List.of("etc/ssl/certs/java/cacerts", "usr/lib/jvm/jdk-21/lib/security/cacerts")) {
            // the JDK reads either format through PKCS12's compatibility mode
            java.security.KeyStore read = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(layer.resolve(store))) {
                read.load(in, JavaTrustStores.PASSWORD);
            }
            assertThat(read.isCertificateEntry(JavaTrustStores.ALIAS)).as(store).isTrue();
        }
        assertThat(layer.resolve("usr/lib/jvm/jdk-17")).as("a link to the shared store is left alone").doesNotExist();
    }
}
