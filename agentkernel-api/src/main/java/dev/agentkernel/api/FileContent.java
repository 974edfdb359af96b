package dev.agentkernel.api;

/**
 * A file read through JSON ({@code GET /sandboxes/NAME/files/PATH}).
 *
 * @param content  the content: text, or base64 when {@code encoding} says so
 * @param encoding {@code utf8} or {@code base64}
 * @param size     its size in bytes
 */
public record FileContent(String content, String encoding, long size) {
}
