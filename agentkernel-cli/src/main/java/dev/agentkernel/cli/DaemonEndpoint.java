package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ClientBuilder;
import dev.agentkernel.model.InvalidRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the CLI finds the daemon, first match wins: {@code --url URL};
 * {@code AGENTKERNEL_BASE_URL}; the address in {@code daemon.json} of the daemon that
 * {@code agentkernel daemon start} started (state directory, while its process runs);
 * {@code http://localhost:18888}. The API key comes from {@code AGENTKERNEL_API_KEY} (the first
 * key if it lists several, as the daemon accepts them), else from the daemon's key file
 * {@code STATE/api-key} when the daemon is this machine's.
 *
 * @param url    the daemon's base URL, e.g. {@code http://127.0.0.1:18888}
 * @param source where it came from, for messages: {@code --url}, {@code AGENTKERNEL_BASE_URL},
 *               {@code daemon.json} or {@code default}
 * @param apiKey the API key to send, if any
 */
record DaemonEndpoint(String url, String source, Optional<String> apiKey) {

    /** The default per-request timeout of the CLI's client. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Resolves from the option, this process's environment and state directory. */
    static DaemonEndpoint resolve(String urlOption, Map<String, String> env, Path stateDir) {
        return resolve(urlOption, env, () -> startedDaemon(stateDir), () -> new DaemonFiles(stateDir).readApiKey());
    }

    /** Resolves from the option, the environment and what {@code started} says of a daemon 'daemon start' started. */
    static DaemonEndpoint resolve(String urlOption, Map<String, String> env, Supplier<Optional<DaemonInfo>> started) {
        return resolve(urlOption, env, started, Optional::empty);
    }

    /**
     * Resolves as above; without {@code AGENTKERNEL_API_KEY}, the key is {@code localKey}'s (the
     * daemon's own {@code STATE/api-key}) when the daemon is the one of this state directory
     * ({@code daemon.json}), the default address, or any address on loopback: never sent elsewhere.
     */
    static DaemonEndpoint resolve(String urlOption, Map<String, String> env, Supplier<Optional<DaemonInfo>> started,
                                  Supplier<Optional<String>> localKey) {
        Optional<String> key = DaemonHttp.apiKeyFrom(env.get(ClientBuilder.API_KEY_VARIABLE));
        DaemonEndpoint endpoint;
        String fromEnv = env.get(ClientBuilder.BASE_URL_VARIABLE);
        if (urlOption != null) {
            endpoint = new DaemonEndpoint(normalize(urlOption, "--url"), "--url", key);
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            endpoint = new DaemonEndpoint(normalize(fromEnv, ClientBuilder.BASE_URL_VARIABLE), ClientBuilder.BASE_URL_VARIABLE, key);
        } else {
            Optional<DaemonInfo> info = started.get();
            endpoint = info.isPresent() ? new DaemonEndpoint(info.get().address().url(), "daemon.json", key)
                    : new DaemonEndpoint(ClientBuilder.DEFAULT_BASE_URL, "default", key);
        }
        if (key.isPresent() || !(endpoint.source().equals("daemon.json") || endpoint.source().equals("default")
                || isLoopback(endpoint.url()))) {
            return endpoint;
        }
        return new DaemonEndpoint(endpoint.url(), endpoint.source(), localKey.get());
    }

    /** Whether an http(s) URL names this machine's loopback (localhost, 127.x.y.z, [::1]). */
    static boolean isLoopback(String url) {
        try {
            String host = new URI(url).getHost();
            if (host == null) {
                return false;
            }
            host = host.toLowerCase(Locale.ROOT);
            return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                    || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The address of the daemon {@code daemon start} started, if its process still runs. */
    private static Optional<DaemonInfo> startedDaemon(Path stateDir) {
        try {
            return new DaemonRegistry(new DaemonFiles(stateDir)).find().flatMap(DaemonRegistry.Running::info);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // an unreadable state directory: fall back to the default
        }
    }

    /** The URL without trailing slashes, once it is an http(s) URL with a host (and no user, query or fragment). */
    static String normalize(String text, String source) {
        String url = text.strip();
        String problem = source + " must be an http:// or https:// URL such as " + ClientBuilder.DEFAULT_BASE_URL
                + ", got '" + text + "'";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidRequestException(problem);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new InvalidRequestException(problem);
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }

    /** A client of this daemon; close it. */
    AgentKernel client() {
        return AgentKernel.builder().environment(Map.of()).baseUrl(url).apiKey(apiKey.orElse(null)).timeout(TIMEOUT)
                .build();
    }
}
