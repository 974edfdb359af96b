package dev.agentkernel.api;

/**
 * The answer of {@code POST /sandboxes/NAME/files}.
 *
 * @param written how many files were written
 * @param bytes   their bytes together
 */
public record FilesWritten(int written, long bytes) {
}
