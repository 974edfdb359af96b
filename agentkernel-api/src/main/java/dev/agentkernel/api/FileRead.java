package dev.agentkernel.api;

/**
 * The MCP {@code sandbox_file_read} result.
 *
 * @param path     the file's path
 * @param content  text, or base64 when {@code encoding} says so
 * @param encoding {@code utf8} or {@code base64}
 * @param size     its size in bytes
 */
public record FileRead(String path, String content, String encoding, long size) {
}
