package dev.agentkernel.api;

/**
 * {@code DELETE /tools/cache}.
 *
 * @param cleared always true
 */
public record CacheCleared(boolean cleared) {
}
