package dev.agentkernel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed, validated reading of request fields; unknown fields are ignored. Package-private. */
final class RequestFields {
    private RequestFields() {
    }

    /** A {@code /run}-shaped object: command, image, profile, timeout (seconds), env, fast (default true). */
    static RunRequest runRequest(ObjectNode body, String where) {
        List<String> command = stringList(body, "command", where, true);
        if (command.isEmpty()) {
            throw new InvalidRequestException(where + "command must not be empty: e.g. [\"echo\", \"hi\"]");
        }
        Optional<String> image = optionalString(body, "image", where);
        Optional<Profile> profile = optionalString(body, "profile", where).map(Profile::parse);
        Optional<Duration> timeout = timeout(body, where);
        JsonNode fast = body.get("fast");
        if (fast != null && !fast.isNull() && !fast.isBoolean()) {
            throw new InvalidRequestException(where + "fast must be true or false");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : stringList(body, "env", where, false)) {
            String[] kv = EnvVar.parse(assignment);
            env.put(kv[0], kv[1]);
        }
        return new RunRequest(command, image, profile, timeout, env, fast == null || fast.isNull() || fast.asBoolean());
    }

    /** {@code timeout} in seconds (a positive number up to 7 days), if given. */
    static Optional<Duration> timeout(ObjectNode body, String where) {
        JsonNode t = body.get("timeout");
        if (t == null || t.isNull()) {
            return Optional.empty();
        }
        if (!t.isNumber() || !(t.asDouble() > 0)) {
            throw new InvalidRequestException(where + "timeout must be a positive number of seconds");
        }
        if (t.asDouble() > dev.agentkernel.model.CommandSpec.MAX_TIMEOUT.toSeconds()) {
            throw new InvalidRequestException(where + "timeout must be at most "
                    + dev.agentkernel.model.CommandSpec.MAX_TIMEOUT.toSeconds() + " seconds (7 days)");
        }
        return Optional.of(Duration.ofMillis(Math.max(1, (long) (t.asDouble() * 1000))));
    }

    static List<String> stringList(ObjectNode body, String field, String where, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidRequestException(where + field + " is required: an array of strings, e.g. [\"echo\", \"hi\"]");
            }
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidRequestException(where + field + " must be an array of strings, e.g. [\"echo\", \"hi\"]");
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new InvalidRequestException(where + field + " must contain only strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    static Optional<String> optionalString(ObjectNode body, String field, String where) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidRequestException(where + field + " must be a non-empty string");
        }
        return Optional.of(node.asText());
    }
}
