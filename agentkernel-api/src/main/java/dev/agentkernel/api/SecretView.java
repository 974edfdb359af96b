package dev.agentkernel.api;

/**
 * A secret, as {@code GET /secrets/NAME} shows it: its name and dates, never its value.
 *
 * @param name      its name (an environment variable's name)
 * @param createdAt when it was first set (ISO-8601)
 * @param updatedAt when its value was last set (ISO-8601)
 */
public record SecretView(String name, String createdAt, String updatedAt) {
}
