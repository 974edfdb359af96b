package dev.agentkernel.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.image.RegistrySettings;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.image.oci.MediaTypes;
import dev.agentkernel.image.oci.OciDocuments;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * A client of the OCI distribution API (Docker registry v2) over the JDK's {@link HttpClient}:
 * manifests and blobs by repository, the anonymous or authenticated bearer-token flow
 * ({@code WWW-Authenticate: Bearer realm=...}), basic auth, credentials from configuration or the
 * Docker configuration, mirrors per registry, plain HTTP for configured and loopback registries,
 * redirects (the {@code Authorization} header never leaves its origin), and retries of transient
 * failures (connection errors, 429, 500, 502, 503, 504) with exponential back-off honouring
 * {@code Retry-After}.
 *
 * <p>It checks nothing about content: callers verify every manifest and blob against its digest.
 */
public final class RegistryClient implements AutoCloseable {

    /** Largest manifest or index accepted (the distribution registry's own bound is 4 MiB). */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;
    private static final System.Logger LOG = System.getLogger(RegistryClient.class.getName());
    private static final int ATTEMPTS = 4;
    private static final int MAX_REDIRECTS = 5;

    /** Made at the first request: a run on a cached image never needs one (its creation is ~20 ms in a new JVM). */
    private HttpClient http; // guarded by this
    private final Function<String, RegistrySettings> settings;
    private final DockerCredentials dockerCredentials;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> basicAuth = new ConcurrentHashMap<>();

    /** A manifest as the registry sent it. */
    public record Fetched(byte[] body, String contentType, Optional<String> dockerContentDigest, String endpoint) {
    }

    private record Token(String value, Instant expires) {
    }

    private record Endpoint(String host, boolean plainHttpAllowed, boolean forcePlain) {
    }

    /**
     * Creates a client.
     *
     * @param settings         settings of a registry host (mirrors, plain HTTP, credentials)
     * @param dockerConfigFile the Docker configuration to read credentials from, or null for none
     */
    public RegistryClient(Function<String, RegistrySettings> settings, java.nio.file.Path dockerConfigFile) {
        this.settings = settings;
        this.dockerCredentials = new DockerCredentials(dockerConfigFile);
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
        }
        return http;
    }

    /** The Docker configuration file read when none is configured. */
    public static java.nio.file.Path defaultDockerConfig() {
        return DockerCredentials.defaultLocation();
    }

    /**
     * Fetches the manifest {@code key} (tag or digest) of {@code repository} on {@code registry},
     * trying its mirrors first.
     *
     * @throws RegistryException with the status 404 when no endpoint has it, or naming the last answer
     */
    public Fetched manifest(String registry, String repository, String key) {
        try {
            return manifestFromEndpoints(registry, repository, key);
        } catch (UncheckedIOException e) {
            throw new RegistryException("cannot fetch the manifest " + registry + "/" + repository + ":" + key
                    + ": " + e.getCause(), e.getCause());
        }
    }

    private Fetched manifestFromEndpoints(String registry, String repository, String key) {
        return acrossEndpoints(registry, endpoint -> {
            HttpResponse<InputStream> r = send(endpoint, registry, repository, "manifests/" + key,
                    MediaTypes.MANIFEST_ACCEPT);
            try (InputStream body = r.body()) {
                byte[] bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
                if (bytes.length > MAX_MANIFEST_BYTES) {
                    throw new RegistryException("the manifest " + repository + ":" + key + " from " + endpoint.host()
                            + " is larger than " + MAX_MANIFEST_BYTES + " bytes; refused");
                }
                return new Fetched(bytes, r.headers().firstValue("Content-Type").orElse(null),
                        r.headers().firstValue("Docker-Content-Digest"), endpoint.host());
            }
        });
    }

    /**
     * Streams the blob {@code digest} of {@code repository} into {@code out}, trying mirrors first.
     * The caller hashes what it receives.
     */
    public void blob(String registry, String repository, Digest digest, OutputStream out) throws IOException {
        try {
            acrossEndpoints(registry, endpoint -> {
                HttpResponse<InputStream> r = send(endpoint, registry, repository, "blobs/" + digest, "*/*");
                try (InputStream body = r.body()) {
                    body.transferTo(out);
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** An IOException across the functional boundary; unwrapped by {@link #blob}. */
    private static final class UncheckedIOException extends RuntimeException {
        UncheckedIOException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    @FunctionalInterface
    private interface EndpointCall<T> {
        T call(Endpoint endpoint) throws IOException;
    }

    private <T> T acrossEndpoints(String registry, EndpointCall<T> call) {
        RegistrySettings s = settings.apply(registry);
        List<Endpoint> endpoints = new ArrayList<>();
        for (String mirror : s.mirrors()) {
            boolean plain = mirror.startsWith("http://");
            String host = mirror.replaceFirst("^https?://", "").replaceFirst("/+$", "");
            endpoints.add(new Endpoint(host, plain || isLoopback(host), plain));
        }
        endpoints.add(new Endpoint(registry.equals("docker.io") ? "registry-1.docker.io" : registry,
                s.plainHttp() || isLoopback(registry), s.plainHttp()));
        List<String> failures = new ArrayList<>();
        RuntimeException last = null;
        for (Endpoint endpoint : endpoints) {
            try {
                return call.call(endpoint);
            } catch (RegistryException e) {
                last = e;
                failures.add(endpoint.host() + ": " + e.getMessage());
            } catch (IOException e) {
                last = new UncheckedIOException(e);
                failures.add(endpoint.host() + ": " + e);
            }
            if (endpoints.size() > 1) {
                LOG.log(System.Logger.Level.INFO, "registry endpoint {0} failed, trying the next: {1}",
                        endpoint.host(), failures.getLast());
            }
        }
        if (endpoints.size() > 1 && last instanceof RegistryException re) {
            throw new RegistryException(String.join("; ", failures), re.status(), re);
        }
        throw last;
    }

    static boolean isLoopback(String hostPort) {
        String host = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']'))
                : hostPort.replaceFirst(":[0-9]+$", "");
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** One GET of {@code /v2/REPO/PATH}: scheme, auth, redirects and retries; the answer is 2xx. */
    private HttpResponse<InputStream> send(Endpoint endpoint, String registry, String repository, String path,
                                           String accept) throws IOException {
        String scheme = schemeFor(endpoint);
        URI uri = URI.create(scheme + "://" + endpoint.host() + "/v2/" + repository + "/" + path);
        String authKey = endpoint.host() + "/" + repository;
        boolean triedAuth = false;
        while (true) {
            HttpResponse<InputStream> r;
            try {
                r = getFollowingRedirects(uri, accept, authorization(authKey));
            } catch (SSLException e) {
                if (scheme.equals("https") && endpoint.plainHttpAllowed()) {
                    LOG.log(System.Logger.Level.DEBUG, "{0} does not speak TLS; using plain HTTP", endpoint.host());
                    schemes.put(endpoint.host(), "http");
                    return send(endpoint, registry, repository, path, accept);
                }
                throw new RegistryException("TLS with " + endpoint.host() + " failed: " + e.getMessage()
                        + (endpoint.plainHttpAllowed() ? "" : "; if this registry serves plain HTTP, configure "
                        + "it as such (plain_http)"), e);
            } catch (ConnectException e) {
                throw new RegistryException("cannot connect to " + endpoint.host() + " (" + scheme + "): "
                        + connectFailure(e), e);
            }
            int status = r.statusCode();
            if (status / 100 == 2) {
                return r;
            }
            String body = errorBody(r);
            if (status == 401 && !triedAuth) {
                triedAuth = true;
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                authenticate(endpoint, registry, repository, authKey, challenge);
                continue;
            }
            String where = endpoint.host() + "/" + repository + " (" + path + ")";
            if (status == 401 || status == 403) {
                boolean haveCredentials = credentials(registry, endpoint).isPresent();
                throw new RegistryException("the registry " + endpoint.host() + " refused access to " + repository
                        + " (HTTP " + status + body + "); " + (haveCredentials
                        ? "check the credentials configured for it (or in ~/.docker/config.json)"
                        : "it needs credentials: log in with 'docker login " + registry
                        + "' or configure a username and password for it"), status, null);
            }
            if (status == 404) {
                throw new RegistryException(where + " was not found (HTTP 404" + body + ")", 404, null);
            }
            throw new RegistryException(where + " answered HTTP " + status + body, status, null);
        }
    }

    private String schemeFor(Endpoint endpoint) {
        if (endpoint.forcePlain()) {
            return "http";
        }
        return schemes.getOrDefault(endpoint.host(), "https");
    }

    private static String errorBody(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] bytes = in.readNBytes(4096);
            if (bytes.length == 0) {
                return "";
            }
            try {
                JsonNode node = OciDocuments.JSON.readTree(bytes);
                JsonNode errors = node.path("errors");
                if (errors.isArray() && !errors.isEmpty()) {
                    List<String> parts = new ArrayList<>();
                    errors.forEach(e -> parts.add(e.path("code").asText("") + ": " + e.path("message").asText("")));
                    return ", " + String.join("; ", parts);
                }
            } catch (IOException e) {
                // not JSON: use the text
            }
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : ", " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
        } catch (IOException e) {
            return "";
        }
    }

    private String authorization(String authKey) {
        Token token = tokens.get(authKey);
        if (token != null && token.expires().isAfter(Instant.now())) {
            return "Bearer " + token.value();
        }
        return basicAuth.get(authKey);
    }

    private Optional<Credentials> credentials(String registry, Endpoint endpoint) {
        RegistrySettings s = settings.apply(registry);
        if (s.username() != null) {
            return Optional.of(new Credentials(s.username(), s.password()));
        }
        Optional<Credentials> fromDocker = dockerCredentials.lookup(endpoint.host());
        if (fromDocker.isEmpty() && !endpoint.host().equals(registry)
                && !(registry.equals("docker.io") && endpoint.host().equals("registry-1.docker.io"))) {
            return Optional.empty(); // a mirror: never send the registry's credentials to it
        }
        return fromDocker.isPresent() ? fromDocker : dockerCredentials.lookup(registry);
    }

    private void authenticate(Endpoint endpoint, String registry, String repository, String authKey,
                              String challenge) throws IOException {
        Map<String, String> params = parseChallenge(challenge);
        String scheme = params.getOrDefault("", "");
        Optional<Credentials> creds = credentials(registry, endpoint);
        if (scheme.equalsIgnoreCase("basic")) {
            if (creds.isEmpty()) {
                throw new RegistryException("the registry " + endpoint.host() + " asks for a user name and password "
                        + "(basic auth); log in with 'docker login " + registry + "' or configure them", 401, null);
            }
            basicAuth.put(authKey, creds.get().basicHeader());
            return;
        }
        if (!scheme.equalsIgnoreCase("bearer") || !params.containsKey("realm")) {
            throw new RegistryException("the registry " + endpoint.host() + " answered 401 with an unsupported "
                    + "challenge '" + challenge + "'", 401, null);
        }
        String scope = "repository:" + repository + ":pull";
        StringBuilder url = new StringBuilder(params.get("realm"));
        url.append(url.indexOf("?") >= 0 ? "&" : "?");
        if (params.containsKey("service")) {
            url.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI realm = URI.create(url.toString());
        if (!"https".equals(realm.getScheme()) && !"http".equals(realm.getScheme())) {
            throw new RegistryException("the registry " + endpoint.host() + " names a token service that is not "
                    + "HTTP(S): " + params.get("realm"));
        }
        HttpResponse<InputStream> r = getWithRetries(realm, "application/json",
                creds.map(Credentials::basicHeader).orElse(null));
        if (r.statusCode() != 200) {
            String body = errorBody(r);
            throw new RegistryException("the token service " + realm.getHost() + " of " + endpoint.host()
                    + " refused a token for " + scope + " (HTTP " + r.statusCode() + body + ")"
                    + (creds.isEmpty() ? "; the repository may need credentials ('docker login " + registry + "')"
                    : "; check the credentials"), r.statusCode() == 401 ? 401 : r.statusCode(), null);
        }
        JsonNode json;
        try (InputStream in = r.body()) {
            json = OciDocuments.tree(in.readNBytes(1 << 20), "token answer");
        }
        String token = json.path("token").asText(json.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException("the token service of " + endpoint.host() + " answered without a token");
        }
        long expiresIn = Math.max(json.path("expires_in").asLong(60), 10);
        tokens.put(authKey, new Token(token, Instant.now().plusSeconds(expiresIn - 5)));
    }

    /** Parses {@code Scheme k="v", k2=v2}; the scheme is under the key "". */
    static Map<String, String> parseChallenge(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        String h = header.strip();
        int space = h.indexOf(' ');
        out.put("", space < 0 ? h : h.substring(0, space));
        if (space < 0) {
            return out;
        }
        String rest = h.substring(space + 1);
        int i = 0;
        while (i < rest.length()) {
            while (i < rest.length() && (rest.charAt(i) == ' ' || rest.charAt(i) == ',')) {
                i++;
            }
            int eq = rest.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = rest.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < rest.length() && rest.charAt(i) == '"') {
                i++;
                while (i < rest.length() && rest.charAt(i) != '"') {
                    if (rest.charAt(i) == '\\' && i + 1 < rest.length()) {
                        i++;
                    }
                    value.append(rest.charAt(i++));
                }
                i++;
            } else {
                while (i < rest.length() && rest.charAt(i) != ',') {
                    value.append(rest.charAt(i++));
                }
            }
            out.put(key, value.toString().strip());
        }
        return out;
    }

    private HttpResponse<InputStream> getFollowingRedirects(URI uri, String accept, String authorization)
            throws IOException {
        URI current = uri;
        String auth = authorization;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<InputStream> r = getWithRetries(current, accept, auth);
            int status = r.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return r;
            }
            String location = r.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                    "redirect without Location from " + uri.getHost()));
            r.body().close();
            URI next = current.resolve(location);
            if (!sameOrigin(current, next)) {
                auth = null; // the token is for the registry, not for the storage it redirects to
            }
            current = next;
        }
        throw new RegistryException("more than " + MAX_REDIRECTS + " redirects from " + uri.getHost());
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private HttpResponse<InputStream> getWithRetries(URI uri, String accept, String authorization)
            throws IOException {
        IOException lastError = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().header("Accept", accept)
                    .header("User-Agent", "agentkernel");
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            try {
                HttpResponse<InputStream> r = http().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                int status = r.statusCode();
                boolean transientStatus = status == 429 || status == 500 || status == 502 || status == 503
                        || status == 504;
                if (!transientStatus || attempt == ATTEMPTS) {
                    return r;
                }
                long wait = retryAfterMillis(r).orElse(backoffMillis(attempt));
                r.body().close();
                LOG.log(System.Logger.Level.DEBUG, "{0} answered {1}; retrying in {2} ms", uri, status, wait);
                sleep(wait);
            } catch (SSLException e) {
                throw e; // not transient; the caller may fall back to plain HTTP
            } catch (ConnectException | HttpTimeoutException e) {
                lastError = e;
            } catch (IOException e) {
                lastError = e; // connection reset, closed, EOF
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while talking to " + uri.getHost());
            }
            if (attempt < ATTEMPTS) {
                sleep(backoffMillis(attempt));
            }
        }
        throw lastError;
    }

    private static Optional<Long> retryAfterMillis(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Math.min(10_000L, Long.parseLong(v.strip()) * 1000));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    static long backoffMillis(int attempt) {
        return Math.min(5_000L, 250L << (attempt - 1)) + (long) (Math.random() * 100);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.close();
        }
    }

    /** Why a connection failed, in words: the first message of the exception or its causes. */
    static String connectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "the host name does not resolve";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return "no connection (the network or the registry is unreachable)";
    }
}
