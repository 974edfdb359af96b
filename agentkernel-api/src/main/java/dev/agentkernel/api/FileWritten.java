package dev.agentkernel.api;

/**
 * The MCP {@code sandbox_file_write} result.
 *
 * @param path         the file's path
 * @param bytesWritten how many bytes were written
 * @param message      what happened
 */
public record FileWritten(String path, long bytesWritten, String message) {
}
