package dev.agentkernel.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's resolved configuration. Package-private.
 *
 * @param baseUrl    the daemon's URL without a trailing slash
 * @param apiKey     the key to send, if any
 * @param timeout    the default wait for a response
 * @param httpClient the caller's HTTP client, if one was given (not closed by the client)
 */
record ClientSettings(URI baseUrl, Optional<String> apiKey, Duration timeout, Optional<HttpClient> httpClient) {

    ClientSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Timeouts.requirePositive(timeout, "timeout");
        Objects.requireNonNull(httpClient, "httpClient");
    }

    @Override
    public String toString() {
        return "ClientSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "(set)" : "(none)")
                + ", timeout=" + timeout + "]";
    }
}
