package dev.agentkernel.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token service of a registry configured with {@code auth: token}: issues RS256 JWTs (with
 * the signing certificate in {@code x5c}) granting pull on the scope asked for, anonymously. The
 * key and certificate are made by openssl; the registry trusts the certificate as its
 * {@code rootcertbundle}, so it really checks the tokens.
 */
final class TokenServer implements AutoCloseable {

    static final String SERVICE = "agentkernel-test-registry";
    static final String ISSUER = "agentkernel-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path certificate;
    final AtomicInteger tokensIssued = new AtomicInteger();
    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate cert;

    TokenServer(Path workDir) throws Exception {
        Path keyFile = workDir.resolve("token.key");
        certificate = workDir.resolve("token.crt");
        Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=agentkernel-test-token", "-keyout", keyFile.toString(), "-out", certificate.toString()));
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        try (var in = Files.newInputStream(certificate)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", exchange -> {
            Map<String, String> query = new HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            for (String pair : raw == null ? new String[0] : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            byte[] body;
            try {
                body = JSON.writeValueAsBytes(Map.of("token", token(query.getOrDefault("scope", "")),
                        "expires_in", 300));
            } catch (Exception e) {
                throw new IOException(e);
            }
            tokensIssued.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry's auth section for this token service. */
    String authYaml() {
        return """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm(), SERVICE, ISSUER, certificate);
    }

    private String token(String scope) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256",
                "x5c", List.of(Base64.getEncoder().encodeToString(cert.getEncoded())));
        long now = System.currentTimeMillis() / 1000;
        List<Map<String, Object>> access = List.of();
        String[] parts = scope.split(":");
        if (parts.length == 3 && parts[0].equals("repository")) {
            access = List.of(Map.of("type", "repository", "name", parts[1], "actions", List.of(parts[2].split(","))));
        }
        Map<String, Object> claims = Map.of("iss", ISSUER, "sub", "", "aud", SERVICE, "exp", now + 300,
                "nbf", now - 10, "iat", now, "jti", UUID.randomUUID().toString(), "access", access);
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
