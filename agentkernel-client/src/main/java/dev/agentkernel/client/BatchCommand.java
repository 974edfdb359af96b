package dev.agentkernel.client;

import java.util.List;
import java.util.Objects;

/**
 * One command of {@link AgentKernel#batchRun}.
 *
 * @param command the program and its arguments
 * @param options how it runs
 */
public record BatchCommand(List<String> command, RunOptions options) {

    /** Checks for nulls and copies. */
    public BatchCommand {
        command = List.copyOf(command);
        Objects.requireNonNull(options, "options");
    }

    /**
     * A command with the default options.
     *
     * @param command the program and its arguments, e.g. {@code "echo", "hi"}
     * @return the batch entry
     */
    public static BatchCommand of(String... command) {
        return new BatchCommand(List.of(command), RunOptions.defaults());
    }

    /**
     * A command with options.
     *
     * @param command the program and its arguments
     * @param options how it runs
     * @return the batch entry
     */
    public static BatchCommand of(List<String> command, RunOptions options) {
        return new BatchCommand(command, options);
    }
}
