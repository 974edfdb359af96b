package dev.agentkernel.api;

/**
 * {@code DELETE /volumes/NAME}: the volume and its files are gone.
 *
 * @param name the removed volume
 */
public record VolumeRemoved(String name) {
}
