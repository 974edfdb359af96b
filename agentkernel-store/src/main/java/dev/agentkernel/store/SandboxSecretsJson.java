package dev.agentkernel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.secret.SandboxSecrets;
import java.util.List;
import java.util.Optional;

/**
 * A sandbox's {@link SandboxSecrets} as the JSON text of a column ({@code NULL} for none): names,
 * hosts, headers and sealed values of its own; never a value in clear.
 */
final class SandboxSecretsJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxSecretsJson() {
    }

    static String write(SandboxSecrets secrets) {
        if (secrets.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(new Stored(secrets.bindings().stream()
                    .map(b -> new StoredBinding(b.name(), b.host(), b.header().orElse(null), b.sealedValue().orElse(null)))
                    .toList(), secrets.files(), secrets.inBody()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException if the text is not kept secrets */
    static SandboxSecrets read(String text) {
        if (text == null) {
            return SandboxSecrets.NONE;
        }
        try {
            Stored s = JSON.readValue(text, Stored.class);
            return new SandboxSecrets(s.bindings().stream().map(b -> new SandboxSecrets.Binding(b.name(), b.host(),
                    Optional.ofNullable(b.header()), Optional.ofNullable(b.sealed()))).toList(), s.files(),
                    s.inBody() == null ? List.of() : s.inBody());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable secrets: " + e.getOriginalMessage());
        }
    }

    record Stored(List<StoredBinding> bindings, List<String> files, List<String> inBody) {
    }

    record StoredBinding(String name, String host, String header, String sealed) {
    }
}
