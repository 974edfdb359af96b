package dev.agentkernel.api;

/**
 * {@code DELETE /secrets/NAME}: the secret is gone (sandboxes it was granted to keep it until they end).
 *
 * @param name the removed secret
 */
public record SecretRemoved(String name) {
}
