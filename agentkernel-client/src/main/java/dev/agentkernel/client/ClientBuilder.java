package dev.agentkernel.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Configures an {@link AgentKernel} or {@link AsyncAgentKernel}
 * ({@link AgentKernel#builder()}, {@link AsyncAgentKernel#builder()}). Every setting left
 * unset falls back to the environment, then to a default:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>environment variable</th><th>default</th></tr>
 *   <tr><td>{@link #baseUrl(String)}</td><td>{@code AGENTKERNEL_BASE_URL}</td>
 *       <td>{@code http://localhost:18888}</td></tr>
 *   <tr><td>{@link #apiKey(String)}</td><td>{@code AGENTKERNEL_API_KEY}</td><td>for a loopback base URL, the
 *       local daemon's key file {@code STATE/api-key} if readable (STATE: {@code AGENTKERNEL_STATE_DIR},
 *       {@code /var/lib/agentkernel} as root, else {@code ~/.local/share/agentkernel}; with
 *       {@link #environment(Map)}, only its {@code AGENTKERNEL_STATE_DIR}); otherwise none</td></tr>
 *   <tr><td>{@link #timeout(Duration)}</td><td></td><td>30 seconds</td></tr>
 * </table>
 *
 * Not thread-safe; each {@link #build()} makes an independent client.
 *
 * @param <C> the kind of client it builds
 */
public final class ClientBuilder<C> {

    /** The URL of a daemon on this machine with the default port. */
    public static final String DEFAULT_BASE_URL = "http://localhost:18888";
    /** The default per-request timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The environment variable with the daemon's URL. */
    public static final String BASE_URL_VARIABLE = "AGENTKERNEL_BASE_URL";
    /** The environment variable with the API key. */
    public static final String API_KEY_VARIABLE = "AGENTKERNEL_API_KEY";

    private final Function<ClientSettings, C> factory;
    private String baseUrl;
    private boolean apiKeySet;
    private String apiKey;
    private Duration timeout;
    private HttpClient httpClient;
    private Map<String, String> environment;

    ClientBuilder(Function<ClientSettings, C> factory) {
        this.factory = factory;
    }

    /**
     * The daemon's URL, e.g. {@code http://localhost:18888} or {@code https://ak.example.com/api}.
     *
     * @param value an http or https URL; a trailing {@code /} is ignored
     * @return this builder
     */
    public ClientBuilder<C> baseUrl(String value) {
        this.baseUrl = Objects.requireNonNull(value, "baseUrl");
        return this;
    }

    /**
     * The daemon's URL.
     *
     * @param value an http or https URL
     * @return this builder
     */
    public ClientBuilder<C> baseUrl(URI value) {
        return baseUrl(value.toString());
    }

    /**
     * The API key, sent with every request (the daemon does not ask for it on {@code /health}) as
     * {@code Authorization: Bearer KEY} and {@code X-API-Key: KEY}.
     *
     * @param value the key; null or blank sends none, even if {@code AGENTKERNEL_API_KEY} is set
     * @return this builder
     */
    public ClientBuilder<C> apiKey(String value) {
        this.apiKeySet = true;
        this.apiKey = value;
        return this;
    }

    /**
     * The longest wait for a response, and for a connection. A command's own timeout extends
     * the wait for its result (by the command's limit plus 30 s); an event stream's wait covers
     * only its start.
     *
     * @param value a positive duration
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public ClientBuilder<C> timeout(Duration value) {
        this.timeout = Timeouts.requirePositive(value, "timeout");
        return this;
    }

    /**
     * An {@link HttpClient} to send requests with (for TLS, proxies or an executor of your own)
     * instead of the client's own. The caller keeps ownership: closing the AgentKernel client
     * does not close it.
     *
     * @param value the HTTP client
     * @return this builder
     */
    public ClientBuilder<C> httpClient(HttpClient value) {
        this.httpClient = Objects.requireNonNull(value, "httpClient");
        return this;
    }

    /**
     * Where unset settings are looked up instead of {@link System#getenv()}; {@code Map.of()}
     * ignores the environment.
     *
     * @param value environment variables by name
     * @return this builder
     */
    public ClientBuilder<C> environment(Map<String, String> value) {
        this.environment = Map.copyOf(value);
        return this;
    }

    /**
     * Builds the client. It connects lazily: a daemon that is down shows at the first call.
     *
     * @return the new client; close it
     * @throws IllegalArgumentException if the base URL (set or from the environment) is not an http(s) URL
     */
    public C build() {
        return factory.apply(settings());
    }

    ClientSettings settings() {
        Map<String, String> env = environment != null ? environment : System.getenv();
        String url;
        String source;
        if (baseUrl != null) {
            url = baseUrl;
            source = "the base URL";
        } else if (env.get(BASE_URL_VARIABLE) != null && !env.get(BASE_URL_VARIABLE).isBlank()) {
            url = env.get(BASE_URL_VARIABLE).strip();
            source = BASE_URL_VARIABLE;
        } else {
            url = DEFAULT_BASE_URL;
            source = "the base URL";
        }
        String key = apiKeySet ? apiKey : env.get(API_KEY_VARIABLE);
        Optional<String> apiKeyValue = key == null || key.isBlank() ? Optional.empty() : Optional.of(key.strip());
        URI base = parseBaseUrl(url, source);
        if (!apiKeySet && apiKeyValue.isEmpty() && (environment == null || env.containsKey("AGENTKERNEL_STATE_DIR"))) {
            // A replaced environment without AGENTKERNEL_STATE_DIR looks at no file of this machine either.
            apiKeyValue = LocalDaemonKey.forUrl(base, env);
        }
        return new ClientSettings(base, apiKeyValue, timeout != null ? timeout : DEFAULT_TIMEOUT,
                Optional.ofNullable(httpClient));
    }

    static URI parseBaseUrl(String text, String source) {
        String hint = source + " must be an http:// or https:// URL such as " + DEFAULT_BASE_URL + ", got '" + text + "'";
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(hint + ": " + e.getReason(), e);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException(hint);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(hint + " (without user, query or fragment)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path);
    }
}
