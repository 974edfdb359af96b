package dev.agentkernel.api;

/**
 * {@code DELETE /images/REF}: the reference is gone from the store (its content stays until it is
 * pruned, and while another reference uses it).
 *
 * @param reference the removed reference, normalised
 */
public record ImageRemoved(String reference) {
}
