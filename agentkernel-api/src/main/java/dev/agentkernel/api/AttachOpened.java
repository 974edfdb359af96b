package dev.agentkernel.api;

/**
 * An interactive session that started.
 *
 * @param session its id (for {@code /attach/ID/...})
 * @param sandbox the sandbox it runs in
 */
public record AttachOpened(String session, String sandbox) {
}
