package dev.agentkernel.core.egress;

import dev.agentkernel.egress.proxy.CertificateAuthority;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a sandbox under egress control trust the daemon's certificate authority (whose
 * certificates the host's proxy shows when it puts secrets in requests, or answers a refused TLS
 * connection with a readable 403): a bundle of the host's authorities plus the daemon's, at
 * {@value #BUNDLE}, and the daemon's alone at {@value #AUTHORITY}, both read-only, named by the
 * variables that OpenSSL, curl, git, Python's requests, pip and Node read ({@code SSL_CERT_FILE}, {@code GIT_SSL_CAINFO},
 * {@code CURL_CA_BUNDLE}, {@code REQUESTS_CA_BUNDLE}, {@code PIP_CERT}, {@code NODE_EXTRA_CA_CERTS}).
 * The authority is the one in {@code STATE/egress-ca} (made on first use); the files sandboxes see
 * are copies in {@code STATE/egress-trust}. Programs that read none of these variables trust it
 * too: on an image, its own system bundles and anchor directories have it
 * ({@link ImageTrustLayers}); on the host's {@code /usr}, the bundle above is also mounted over
 * {@code /etc/ssl/certs/ca-certificates.crt}.
 */
public final class SandboxTrust {

    /** Where a sandbox finds the bundle (the host's authorities and the daemon's). */
    public static final String BUNDLE = "/run/agentkernel/ca-bundle.crt";
    /** Where a sandbox finds the daemon's authority alone. */
    public static final String AUTHORITY = "/run/agentkernel/egress-ca.crt";
    /** Written last: what this version prepares is there (an older daemon's directory lacks the Java store). */
    private static final String PREPARED = ".prepared-v2";
    private static final Path HOST_JAVA_STORE = Path.of("/etc/ssl/certs/java/cacerts");
    private static final List<Path> HOST_BUNDLES = List.of(Path.of("/etc/ssl/certs/ca-certificates.crt"),
            Path.of("/etc/pki/tls/certs/ca-bundle.crt"), Path.of("/etc/ssl/cert.pem"));

    private SandboxTrust() {
    }

    /** {@code spec} trusting the daemon's authority, if it runs under egress control; else {@code spec}. */
    public static SandboxSpec apply(SandboxSpec spec, Path stateDir) {
        if (!spec.egressControlled() || BUNDLE.equals(spec.env().get("SSL_CERT_FILE"))) {
            return spec;
        }
        Path dir = files(stateDir);
        List<Mount> mounts = new ArrayList<>(spec.mounts());
        mounts.add(new Mount(dir.resolve("ca-bundle.crt"), BUNDLE, true));
        mounts.add(new Mount(dir.resolve("egress-ca.crt"), AUTHORITY, true));
        switch (spec.root()) {
            case RootFs.Image image -> spec = spec.withRoot(ImageTrustLayers.trusting(image,
                    dir.resolve("layers"), authority(dir)));
            case RootFs.Host host -> {
                // the host's /etc view has the host's bundle: the same file with the daemon's authority over it
                if (Files.isRegularFile(HOST_BUNDLES.getFirst(), LinkOption.NOFOLLOW_LINKS)) {
                    mounts.add(new Mount(dir.resolve("ca-bundle.crt"), HOST_BUNDLES.getFirst().toString(), true));
                }
                // and the JDKs' shared trust store (their lib/security/cacerts link to it on Debian)
                if (Files.isRegularFile(dir.resolve("java-cacerts"), LinkOption.NOFOLLOW_LINKS)) {
                    mounts.add(new Mount(dir.resolve("java-cacerts"), HOST_JAVA_STORE.toString(), true));
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        for (String name : List.of("SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "PIP_CERT", "GIT_SSL_CAINFO")) {
            env.put(name, BUNDLE);
        }
        env.put("NODE_EXTRA_CA_CERTS", AUTHORITY);
        return spec.withMounts(mounts).withEnv(env);
    }

    private static String authority(Path dir) {
        try {
            return Files.readString(dir.resolve("egress-ca.crt"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot read the certificate authority sandboxes trust in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Writes (once per change of the authority) the two files sandboxes see, and returns their directory. */
    private static synchronized Path files(Path stateDir) {
        Path dir = stateDir.resolve("egress-trust");
        try {
            Path own = dir.resolve("egress-ca.crt");
            Path current = stateDir.resolve("egress-ca").resolve("ca.crt");
            if (Files.isRegularFile(own) && Files.isRegularFile(current) && Files.mismatch(own, current) == -1
                    && Files.isRegularFile(dir.resolve(PREPARED))) {
                return dir; // prepared already (every start of a sandbox under egress control comes here)
            }
            CertificateAuthority ca = CertificateAuthority.open(stateDir.resolve("egress-ca"));
            String authority = Files.readString(ca.certificatePem(), StandardCharsets.US_ASCII);
            Files.createDirectories(dir);
            StringBuilder bundle = new StringBuilder();
            for (Path host : HOST_BUNDLES) {
                if (Files.isRegularFile(host)) {
                    bundle.append(Files.readString(host, StandardCharsets.US_ASCII)).append('\n');
                    break;
                }
            }
            bundle.append(authority);
            write(dir.resolve("ca-bundle.crt"), bundle.toString());
            java.util.Optional<byte[]> javaStore = Files.isRegularFile(HOST_JAVA_STORE, LinkOption.NOFOLLOW_LINKS)
                    ? JavaTrustStores.withAuthority(HOST_JAVA_STORE, authority) : java.util.Optional.empty();
            if (javaStore.isPresent()) {
                Path temp = dir.resolve("java-cacerts.tmp");
                Files.write(temp, javaStore.get());
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(temp, dir.resolve("java-cacerts"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            write(own, authority);
            write(dir.resolve(PREPARED), "");
            return dir;
        } catch (IOException e) {
            throw new SandboxFailureException("cannot prepare the certificate authority sandboxes trust in " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
