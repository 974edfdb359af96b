package dev.agentkernel.core.secret;

import java.util.Objects;
import java.util.Optional;

/**
 * One grant of a secret to a sandbox for one host, as a create request's {@code secrets} entry
 * gives it ({@link SecretBindings#parse}).
 *
 * @param name        the secret's name (the sandbox's environment variable that holds its placeholder)
 * @param inlineValue a value given in the request itself ({@code KEY=value:host}): used for that
 *                    sandbox only and never stored; empty: the stored secret of that name
 * @param host        the host it may be sent to: a name, or {@code *.example.com} for every name below
 *                    {@code example.com}; lower case
 * @param header      the request header the proxy sets to the value for that host
 */
public record SecretBinding(String name, Optional<String> inlineValue, String host, Optional<String> header) {

    /** Validates. */
    public SecretBinding {
        SecretNames.requireValid(name);
        Objects.requireNonNull(inlineValue, "inlineValue");
        inlineValue.ifPresent(v -> SecretNames.requireValidValue(name, v));
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(header, "header");
    }

    /** Never shows an inline value. */
    @Override
    public String toString() {
        return "SecretBinding[" + name + (inlineValue.isPresent() ? " (inline)" : "") + " for " + host
                + header.map(h -> " in " + h).orElse("") + "]";
    }
}
