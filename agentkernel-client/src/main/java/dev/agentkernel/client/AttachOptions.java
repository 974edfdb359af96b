package dev.agentkernel.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How an interactive session starts ({@link AgentKernel#attach}). Immutable; start from
 * {@link #defaults()}.
 *
 * @param command the program and its arguments; empty runs the sandbox's login shell ({@code bash -l},
 *                else {@code sh -l})
 * @param env     environment variables of the program, in order (e.g. {@code TERM})
 * @param workdir the absolute directory it starts in; empty means the sandbox's default
 * @param rows    the terminal's height in lines, 1 to 1000
 * @param cols    the terminal's width in columns, 1 to 1000
 */
public record AttachOptions(List<String> command, Map<String, String> env, Optional<String> workdir, int rows,
                            int cols) {

    /** Largest height or width the server accepts. */
    public static final int MAX_SIZE = 1000;

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the size is out of range or an environment variable name is invalid
     */
    public AttachOptions {
        command = List.copyOf(command);
        env = EnvVars.copy(env);
        Objects.requireNonNull(workdir, "workdir");
        requireSize(rows, cols);
    }

    /**
     * The login shell, no variables, the sandbox's working directory, 24 by 80.
     *
     * @return the default options
     */
    public static AttachOptions defaults() {
        return new AttachOptions(List.of(), Map.of(), Optional.empty(), 24, 80);
    }

    /**
     * A copy that runs another program instead of the login shell.
     *
     * @param value the program and its arguments, e.g. {@code List.of("python3")}; empty for the login shell
     * @return the changed copy
     */
    public AttachOptions withCommand(List<String> value) {
        return new AttachOptions(value, env, workdir, rows, cols);
    }

    /**
     * A copy with one more environment variable (or a new value for it).
     *
     * @param name  the variable's name: not empty, without {@code =}
     * @param value its value
     * @return the changed copy
     */
    public AttachOptions withEnv(String name, String value) {
        return new AttachOptions(command, EnvVars.with(env, name, value), workdir, rows, cols);
    }

    /**
     * A copy that starts in another directory.
     *
     * @param value an absolute path inside the sandbox, e.g. {@code /workspace}
     * @return the changed copy
     */
    public AttachOptions withWorkdir(String value) {
        return new AttachOptions(command, env, Optional.of(value), rows, cols);
    }

    /**
     * A copy with another terminal size.
     *
     * @param rowCount height in lines, 1 to 1000
     * @param colCount width in columns, 1 to 1000
     * @return the changed copy
     * @throws IllegalArgumentException if a value is out of range
     */
    public AttachOptions withSize(int rowCount, int colCount) {
        return new AttachOptions(command, env, workdir, rowCount, colCount);
    }

    static void requireSize(int rows, int cols) {
        if (rows < 1 || rows > MAX_SIZE || cols < 1 || cols > MAX_SIZE) {
            throw new IllegalArgumentException("a terminal size is 1 to " + MAX_SIZE + " rows and columns, got "
                    + rows + " rows and " + cols + " columns");
        }
    }
}
