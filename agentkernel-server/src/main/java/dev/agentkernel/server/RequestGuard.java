package dev.agentkernel.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one place that decides whether a request may reach a route at all, checked in this order
 * before any route runs (Package-private):
 *
 * <ol>
 *   <li><b>framing</b>: {@code Content-Length} must be one non-negative number (duplicates must
 *       agree), {@code Transfer-Encoding} only {@code chunked} and never with {@code Content-Length}
 *       (RFC 9112 §6): 400 or 501, and the connection is closed;</li>
 *   <li><b>{@code Host}</b> must name this daemon: {@code localhost}, an address of this machine
 *       (loopback or not), the bind address, the machine's host name, or an entry of
 *       {@link ServerConfig#allowedHosts()}; with a port, the daemon's own port. Otherwise 403
 *       {@code host_not_allowed}: a web page whose name was re-pointed at 127.0.0.1 (DNS
 *       rebinding) sends its own name;</li>
 *   <li><b>browsers</b>: an {@code Origin} other than the daemon's own (the scheme, host and port
 *       the browser addressed) or an entry of {@link ServerConfig#allowedOrigins()} is 403
 *       {@code origin_not_allowed}, and so is {@code Sec-Fetch-Site: cross-site} or
 *       {@code same-site} (another port of localhost is the same site) unless the origin is
 *       allowed. Requests without these headers (curl, the SDKs, the CLI) are not affected.
 *       Allowed foreign origins get CORS answers ({@code OPTIONS} preflights, {@code
 *       Access-Control-Allow-Origin});</li>
 *   <li><b>API key</b> on every route but {@code /health}, {@code /openapi.json} and the web console's static
 *       files ({@code GET /console/...}, {@link ConsoleRoutes}: no data; the page asks for the key) when keys
 *       are configured (401);</li>
 *   <li><b>media type</b>: a {@code POST}, {@code PUT}, {@code PATCH} or {@code DELETE} with a body
 *       must say {@code Content-Type: application/json} (file writes and terminal input may also say
 *       {@code application/octet-stream}, which no web page can send without a preflight): 415 {@code unsupported_media_type} otherwise, so that no HTML
 *       form or {@code no-cors} fetch (which can only send {@code text/plain}, form or multipart
 *       bodies) reads as a request.</li>
 * </ol>
 */
final class RequestGuard {

    private static final HeaderName ORIGIN = HeaderNames.create("Origin");
    private static final HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
    /** Routes whose bodies may be raw bytes: file writes and a terminal's input. */
    private static final Pattern RAW_BODY_PATH = Pattern.compile("/sandboxes/[^/]+/files/.*|/attach/[^/]+/input");
    private static final Set<Method> WITH_BODIES = Set.of(Method.POST, Method.PUT, Method.PATCH, Method.DELETE);
    private static final String JSON = "application/json";
    private static final String OCTET_STREAM = "application/octet-stream";

    /** Why a request was turned away. {@code close}: the connection cannot carry another request. */
    record Refusal(int status, String message, String code, boolean close) {
    }

    private final Set<String> names;
    private final boolean anyHost;
    private final Set<String> origins;
    private final boolean anyOrigin;
    private final ApiKeys keys;

    RequestGuard(ServerConfig config, ApiKeys keys) {
        this.keys = keys;
        Set<String> own = new HashSet<>(List.of("localhost", "localhost.localdomain", "ip6-localhost"));
        String bind = config.host().toLowerCase(Locale.ROOT);
        if (!bind.isEmpty()) {
            own.add(bind.startsWith("[") ? bind.substring(1, bind.length() - 1) : bind);
        }
        try {
            String hostname = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            own.add(hostname);
            if (hostname.indexOf('.') > 0) {
                own.add(hostname.substring(0, hostname.indexOf('.')));
            }
        } catch (UnknownHostException e) {
            // no resolvable host name: the other names still work
        }
        this.anyHost = config.allowedHosts().contains("*");
        own.addAll(config.allowedHosts());
        this.names = Set.copyOf(own);
        this.anyOrigin = config.allowedOrigins().contains("*");
        this.origins = Set.copyOf(config.allowedOrigins());
    }

    /** Whether {@code req} may go on; empty when it may. */
    Optional<Refusal> check(ServerRequest req) {
        Optional<Refusal> framing = framing(req);
        if (framing.isPresent()) {
            return framing;
        }
        Optional<String> host = req.headers().first(HeaderNames.HOST);
        if (host.isPresent() && !isOwnHost(host.get(), req.localPeer().port())) {
            return refuse(403, "Host '" + printable(host.get()) + "' is not a name of this daemon (requests must address it "
                    + "as localhost, one of its addresses or its host name); allow more names with 'serve --allow-host NAME' "
                    + "or AGENTKERNEL_ALLOWED_HOSTS", "host_not_allowed");
        }
        Optional<String> origin = req.headers().first(ORIGIN);
        boolean foreignAllowed = origin.map(o -> anyOrigin || origins.contains(ServerConfig.normalizeOrigin(o))).orElse(false);
        if (origin.isPresent() && !foreignAllowed && !isOwnOrigin(origin.get(), host.orElse(""))) {
            return refuse(403, "requests from the web page at " + printable(origin.get()) + " are not allowed; allow its "
                    + "origin with 'serve --allow-origin ORIGIN' or AGENTKERNEL_ALLOWED_ORIGINS", "origin_not_allowed");
        }
        String site = req.headers().first(SEC_FETCH_SITE).orElse("").strip().toLowerCase(Locale.ROOT);
        if ((site.equals("cross-site") || site.equals("same-site")) && !foreignAllowed) {
            return refuse(403, "requests from other web sites are not allowed (Sec-Fetch-Site: " + site + "); allow "
                    + "the page's origin with 'serve --allow-origin ORIGIN' or AGENTKERNEL_ALLOWED_ORIGINS", "origin_not_allowed");
        }
        String path = req.path().path();
        if (isPreflight(req)) {
            return Optional.empty(); // answered by preflight(): only an allowed origin gets this far
        }
        boolean console = ConsoleRoutes.isConsolePath(path) && req.prologue().method().equals(Method.GET);
        if (keys.enabled() && !path.equals("/health") && !path.equals("/openapi.json") && !console && !keys.accepts(req)) {
            return refuse(401, "missing or invalid API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY' "
                    + "(the daemon's key is in STATE/api-key unless AGENTKERNEL_API_KEY set it)", "unauthorized");
        }
        return mediaType(req, path);
    }

    /** A CORS preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}). */
    static boolean isPreflight(ServerRequest req) {
        return req.prologue().method().equals(Method.OPTIONS)
                && req.headers().contains(HeaderNames.create("Access-Control-Request-Method"));
    }

    /**
     * For an origin allowed by configuration (not the daemon's own): the CORS headers that let
     * its pages read the answer. Call only after {@link #check} let the request through.
     */
    void corsHeaders(ServerRequest req, ServerResponse res) {
        Optional<String> origin = req.headers().first(ORIGIN);
        if (origin.isEmpty() || !(anyOrigin || origins.contains(ServerConfig.normalizeOrigin(origin.get())))) {
            return;
        }
        res.header("Access-Control-Allow-Origin", origin.get());
        res.header("Vary", "Origin");
        res.header("Access-Control-Expose-Headers", McpHttpTransport.SESSION_ID.defaultCase());
        if (isPreflight(req)) {
            res.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
            res.header("Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type, Accept, Last-Event-ID, "
                    + McpHttpTransport.SESSION_ID.defaultCase() + ", Mcp-Protocol-Version");
            res.header("Access-Control-Max-Age", "600");
        }
    }

    private static Optional<Refusal> framing(ServerRequest req) {
        List<String> lengths = req.headers().all(HeaderNames.CONTENT_LENGTH, List::of);
        List<String> encodings = req.headers().all(HeaderNames.TRANSFER_ENCODING, List::of);
        String length = null;
        for (String value : lengths) {
            for (String part : value.split(",", -1)) {
                String p = part.strip();
                if (!DIGITS.matcher(p).matches()) {
                    return Optional.of(new Refusal(400, "Content-Length '" + printable(value) + "' is not a non-negative "
                            + "whole number", "invalid_request", true));
                }
                if (length != null && Long.parseLong(length) != Long.parseLong(p)) {
                    return Optional.of(new Refusal(400, "the request has several Content-Length values that differ ("
                            + printable(String.join(", ", lengths)) + "); send one", "invalid_request", true));
                }
                length = p;
            }
        }
        if (!encodings.isEmpty()) {
            if (encodings.size() != 1 || !encodings.getFirst().strip().equalsIgnoreCase("chunked")) {
                return Optional.of(new Refusal(501, "Transfer-Encoding '" + printable(String.join(", ", encodings))
                        + "' is not supported; send 'chunked' or a Content-Length", "not_implemented", true));
            }
            if (!lengths.isEmpty()) {
                return Optional.of(new Refusal(400, "the request has both Transfer-Encoding and Content-Length; send one "
                        + "of them", "invalid_request", true));
            }
        }
        return Optional.empty();
    }

    private Optional<Refusal> mediaType(ServerRequest req, String path) {
        if (!WITH_BODIES.contains(req.prologue().method()) || !req.content().hasEntity()) {
            return Optional.empty();
        }
        boolean file = RAW_BODY_PATH.matcher(path).matches();
        String expected = file ? "'Content-Type: application/json' or 'application/octet-stream'"
                : "'Content-Type: application/json'";
        Optional<String> raw = req.headers().first(HeaderNames.CONTENT_TYPE);
        if (raw.isEmpty()) {
            return refuse(415, "the request body has no Content-Type; send " + expected
                    + " (curl: -H 'Content-Type: application/json')", "unsupported_media_type");
        }
        String type;
        try {
            type = HttpMediaType.create(raw.get()).mediaType().text().toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return refuse(415, "Content-Type '" + printable(raw.get()) + "' cannot be parsed; send " + expected,
                    "unsupported_media_type");
        }
        if (type.equals(JSON) || (file && type.equals(OCTET_STREAM))) {
            return Optional.empty();
        }
        return refuse(415, "Content-Type '" + printable(raw.get()) + "' is not accepted here; send " + expected
                + " (curl: -H 'Content-Type: application/json')", "unsupported_media_type");
    }

    private boolean isOwnHost(String hostHeader, int localPort) {
        String value = hostHeader.strip().toLowerCase(Locale.ROOT);
        String name;
        String port = null;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = value.substring(1, end);
            if (end + 1 < value.length()) {
                if (value.charAt(end + 1) != ':') {
                    return false;
                }
                port = value.substring(end + 2);
            }
        } else {
            int colon = value.lastIndexOf(':');
            name = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
        }
        if (port != null && !(DIGITS.matcher(port).matches() && Long.parseLong(port) == localPort)) {
            return false;
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return anyHost || names.contains(name) || isAddressOfThisMachine(name, value.startsWith("["));
    }

    /** An IP literal of a loopback or local interface address (never a name: resolving one is what rebinding abuses). */
    private static boolean isAddressOfThisMachine(String name, boolean bracketed) {
        if (!(bracketed || IPV4.matcher(name).matches())) {
            return false;
        }
        try {
            InetAddress address = InetAddress.ofLiteral(name);
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (IllegalArgumentException | SocketException e) {
            return false;
        }
    }

    /** The browser addressed this daemon itself: the origin's host and port are those of the request's Host. */
    private static boolean isOwnOrigin(String origin, String hostHeader) {
        URI uri;
        try {
            uri = new URI(origin.strip());
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || hostHeader.isEmpty()) {
            return false;
        }
        int defaultPort = scheme.equals("http") ? 80 : 443;
        String authority = uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() == -1 || uri.getPort() == defaultPort ? "" : ":" + uri.getPort());
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.endsWith(":" + defaultPort)) {
            host = host.substring(0, host.length() - (":" + defaultPort).length());
        }
        return authority.equals(host);
    }

    private static Optional<Refusal> refuse(int status, String message, String code) {
        return Optional.of(new Refusal(status, message, code, false));
    }

    /** A header value as it may appear in a message: printable ASCII, at most 200 characters. */
    private static String printable(String value) {
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
