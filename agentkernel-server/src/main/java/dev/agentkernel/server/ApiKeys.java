package dev.agentkernel.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * API-key check: {@code X-API-Key: KEY} (the document) or {@code Authorization: Bearer KEY}
 * (the published clients), compared in constant time against every configured key.
 */
final class ApiKeys {

    private final List<byte[]> keys;

    ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    boolean enabled() {
        return !keys.isEmpty();
    }

    boolean accepts(ServerRequest request) {
        Optional<String> presented = request.headers().first(HeaderNames.create("X-API-Key"));
        if (presented.isEmpty()) {
            presented = request.headers().first(HeaderNames.AUTHORIZATION)
                    .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                    .map(v -> v.substring(7).trim());
        }
        if (presented.isEmpty()) {
            return false;
        }
        byte[] candidate = presented.get().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, candidate); // no early exit: time does not tell which key
        }
        return match;
    }
}
