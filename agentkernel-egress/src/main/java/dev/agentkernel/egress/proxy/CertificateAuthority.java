package dev.agentkernel.egress.proxy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The daemon's own certificate authority (EC P-256), with which the egress proxy speaks TLS to
 * sandboxes when it must look inside a connection: to put secrets in requests, or to answer a
 * refused HTTPS connection with a readable 403. Sandboxes trust it through {@link #certificatePem()},
 * which the daemon adds to their trust store.
 *
 * <p>Kept in a directory: {@code ca.key} (PKCS#8 PEM, mode 0600) and {@code ca.crt} (PEM), made on
 * first use and reused across restarts. Leaf certificates (one name each, valid 7 days) are made on
 * demand and kept in memory. Thread-safe.
 */
public final class CertificateAuthority {

    private static final String KEY_FILE = "ca.key";
    private static final String CERT_FILE = "ca.crt";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(7);
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final int MAX_CACHED = 1024;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final char[] NO_PASSWORD = new char[0];

    private final Path certificatePem;
    private final PrivateKey caKey;
    private final X509Certificate caCertificate;
    private final KeyPair leafKeys;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Leaf> leaves = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Leaf> eldest) {
            return size() > MAX_CACHED;
        }
    };

    private record Leaf(SSLContext context, X509Certificate[] chain, Instant renewAfter) {
    }

    private CertificateAuthority(Path certificatePem, PrivateKey caKey, X509Certificate caCertificate) {
        this.certificatePem = certificatePem;
        this.caKey = caKey;
        this.caCertificate = caCertificate;
        this.leafKeys = newKeyPair();
    }

    /**
     * The authority kept in {@code dir}: read if {@code ca.key} and {@code ca.crt} are there, else
     * made and written (the directory is created, mode 0700).
     *
     * @throws IOException if the files cannot be read or written, or do not hold an EC key and its certificate
     */
    public static CertificateAuthority open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            return load(keyFile, certFile);
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        KeyPair keys = newKeyPair();
        X509Certificate certificate = selfSigned(keys);
        writeAtomically(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), "rw-------");
        writeAtomically(certFile, pem(certificate), "rw-r--r--");
        return new CertificateAuthority(certFile, keys.getPrivate(), certificate);
    }

    /** The PEM file of the authority's certificate ({@code ca.crt}), for sandboxes' trust stores. */
    public Path certificatePem() {
        return certificatePem;
    }

    /** The authority's certificate. */
    public X509Certificate certificate() {
        return caCertificate;
    }

    /**
     * A server-side TLS context that presents a certificate for {@code host} (a DNS name or an IPv4
     * literal) signed by this authority, made on first use and kept.
     */
    public SSLContext serverContextFor(String host) {
        return leaf(host).context();
    }

    /** The certificate chain presented for {@code host} (its leaf, then this authority's certificate). */
    X509Certificate[] chainFor(String host) {
        return leaf(host).chain().clone();
    }

    private Leaf leaf(String host) {
        Objects.requireNonNull(host, "host");
        synchronized (leaves) {
            Leaf leaf = leaves.get(host);
            if (leaf != null && Instant.now().isBefore(leaf.renewAfter())) {
                return leaf;
            }
        }
        Leaf made = newLeaf(host);
        synchronized (leaves) {
            leaves.put(host, made);
        }
        return made;
    }

    private Leaf newLeaf(String host) {
        try {
            Instant now = Instant.now();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_VALIDITY)), subject, leafKeys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            GeneralName name = IPV4.matcher(host).matches() ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(name))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(leafKeys.getPublic()));
            X509Certificate leaf = sign(builder, caKey);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("leaf", leafKeys.getPrivate(), NO_PASSWORD, new X509Certificate[] {leaf, caCertificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return new Leaf(context, new X509Certificate[] {leaf, caCertificate}, now.plus(LEAF_VALIDITY).minus(Duration.ofDays(1)));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate for " + host + ": " + e.getMessage(), e);
        }
    }

    private static CertificateAuthority load(Path keyFile, Path certFile) throws IOException {
        try (Reader keyReader = Files.newBufferedReader(keyFile); PEMParser keys = new PEMParser(keyReader);
                Reader certReader = Files.newBufferedReader(certFile); PEMParser certs = new PEMParser(certReader)) {
            Object key = keys.readObject();
            Object cert = certs.readObject();
            if (!(key instanceof PrivateKeyInfo info) || !(cert instanceof X509CertificateHolder holder)) {
                throw new IOException(keyFile.getParent() + " does not hold a PKCS#8 key in " + KEY_FILE
                        + " and a certificate in " + CERT_FILE + "; remove both to make a new authority");
            }
            PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            return new CertificateAuthority(certFile, privateKey, certificate);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate authority in " + keyFile.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate selfSigned(KeyPair keys) throws IOException {
        try {
            Instant now = Instant.now();
            String host = InetAddress.getLocalHost().getHostName();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "AgentKernel")
                    .addRDN(BCStyle.CN, "AgentKernel egress CA (" + host + ", " + now.toString().substring(0, 10) + ")").build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, new SecureRandom()).add(BigInteger.ONE), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the certificate authority: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException, CertIOException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
    }

    private BigInteger serial() {
        synchronized (random) {
            return new BigInteger(127, random).add(BigInteger.ONE);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    /** Writes {@code text} to a new file of mode {@code mode} and moves it into place. */
    private static void writeAtomically(Path file, String text, String mode) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
