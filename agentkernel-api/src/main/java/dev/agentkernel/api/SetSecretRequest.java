package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code PUT /secrets/NAME}: the secret's value (created, or replacing the value of the one of
 * that name). The value is stored encrypted and never shown again by any route.
 *
 * @param value the value: not empty, at most 64 KiB of UTF-8
 */
public record SetSecretRequest(@JsonProperty(required = true) String value) {

    /** The largest value, in bytes of UTF-8. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    public SetSecretRequest {
        Check.required(value, "value", "{\"value\": \"sk-...\"}");
        if (value.isEmpty()) {
            throw Check.bad("value must not be empty: a secret needs a value");
        }
        int bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            throw Check.bad("value is " + bytes + " bytes; at most " + MAX_VALUE_BYTES + " are allowed");
        }
    }

    /** Never shows the value. */
    @Override
    public String toString() {
        return "SetSecretRequest[value=(" + value.length() + " characters, hidden)]";
    }
}
