package dev.agentkernel.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The web console's static files under {@code /console/} (Package-private): the page, its script
 * and its style sheet, built from {@code src/main/console} at build time into the jar's {@code
 * console/} resources and read once at start. They hold no data and no key, so they need no API key
 * (see {@link RequestGuard}); the page asks for the key and sends it with every API call it makes.
 * Only those fixed names are served (no path from the request reaches the class path), each with a
 * content security policy that allows this origin's scripts, styles and connections only, and
 * headers that keep the page out of frames and its address out of {@code Referer}. The page's own
 * policy also allows {@code <style>} elements that carry a nonce made afresh for each answer: the
 * terminal emulator (xterm.js) makes such elements for its sizes and colours, and the page's script
 * gives them the nonce it finds in the page ({@code <meta name="ak-style-nonce">}). Scripts stay
 * {@code 'self'} only, and style attributes stay refused.
 *
 * <p>These routes are not part of {@code ApiRoutes} (the API the OpenAPI document describes): they
 * serve a page, not the API.
 */
final class ConsoleRoutes {

    /** The console's path prefix. */
    static final String PREFIX = "/console";
    private static final String RESOURCES = "console/";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    /** The policy of the script and the style sheet (the page's own adds its style nonce: {@link #pagePolicy}). */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    /** Where index.html says its style nonce (replaced by a fresh one in each answer). */
    static final String NONCE_PLACEHOLDER = "__AK_STYLE_NONCE__";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Pattern CONSOLE_PATH = Pattern.compile("/console(/([A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9]+)*)?)?");

    private final Map<String, byte[]> files;

    ConsoleRoutes() {
        this(ConsoleRoutes.class.getClassLoader());
    }

    ConsoleRoutes(ClassLoader loader) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        for (String name : FILES.keySet()) {
            try (InputStream in = loader.getResourceAsStream(RESOURCES + name)) {
                if (in != null) {
                    found.put(name, in.readAllBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the console's " + name + " from the class path", e);
            }
        }
        this.files = Map.copyOf(found);
    }

    /** Whether the console was built into this daemon (all its files are there). */
    boolean built() {
        return files.size() == FILES.size();
    }

    /**
     * Whether {@code path} is one of the console's (which need no API key): {@code /console},
     * {@code /console/} or {@code /console/NAME} with one plain file name, never a path that could
     * lead elsewhere ({@code /console/../sandboxes}).
     */
    static boolean isConsolePath(String path) {
        return CONSOLE_PATH.matcher(path).matches();
    }

    /** Registers {@code GET /console}, {@code /console/} and {@code /console/{file}}. */
    void register(HttpRouting.Builder routing) {
        routing.get(PREFIX, (req, res) -> res.status(Status.MOVED_PERMANENTLY_301)
                .header(HeaderNames.LOCATION, PREFIX + "/").send());
        routing.get(PREFIX + "/", (req, res) -> serve("index.html", res));
        routing.get(PREFIX + "/{file}", (req, res) -> serve(req.path().pathParameters().get("file"), res));
    }

    private void serve(String name, ServerResponse res) {
        Optional<byte[]> body = Optional.ofNullable(FILES.containsKey(name) ? files.get(name) : null);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "DENY");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Cache-Control", "no-cache");
        if (body.isEmpty()) {
            String message = built() ? "the console has no file '" + printable(name) + "'"
                    : "the web console was not built into this daemon (build it with Node.js and npm on PATH)";
            res.status(404).header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(Json.error(message, "not_found"));
            return;
        }
        byte[] bytes = body.get();
        if (name.equals("index.html")) {
            String nonce = nonce();
            bytes = new String(bytes, StandardCharsets.UTF_8).replace(NONCE_PLACEHOLDER, nonce)
                    .getBytes(StandardCharsets.UTF_8);
            res.header("Content-Security-Policy", pagePolicy(nonce));
        } else {
            res.header("Content-Security-Policy", POLICY);
        }
        res.header(HeaderNames.CONTENT_TYPE, FILES.get(name)).send(bytes);
    }

    /** The policy of the page: {@link #POLICY} with {@code <style>} elements that carry {@code nonce} allowed. */
    static String pagePolicy(String nonce) {
        return POLICY.replace("style-src 'self';", "style-src 'self' 'nonce-" + nonce + "';");
    }

    /** 128 random bits, base64 (the CSP's nonce-source grammar). */
    static String nonce() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getEncoder().encodeToString(bits);
    }

    private static String printable(String value) {
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }
}
