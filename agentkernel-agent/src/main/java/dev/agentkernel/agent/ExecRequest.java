package dev.agentkernel.agent;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A command for the agent to run. Arguments are passed as argv, never through a shell; the
 * program is looked up in {@code PATH} from {@code env}.
 *
 * @param argv     program and arguments; not empty, no NUL bytes
 * @param env      exactly the command's environment (nothing is inherited from the agent)
 * @param workdir  absolute working directory inside the sandbox, or empty for the agent's own
 * @param terminal a pseudo-terminal of that size (output then arrives merged as stdout), or empty for pipes
 * @param root     run as root of the sandbox instead of the sandbox's user (an agent started with
 *                 {@code --user}; without it, commands run as the agent)
 */
public record ExecRequest(List<String> argv, Map<String, String> env, Optional<String> workdir,
                          Optional<TerminalSize> terminal, boolean root) {

    /** Validates and defensively copies. @throws InvalidRequestException for a bad command */
    public ExecRequest {
        argv = List.copyOf(CommandSpec.requireValidArgv(argv, "[\"python3\", \"-c\", \"print(1)\"]"));
        env = Map.copyOf(env);
        env.forEach(EnvVar::requireValid);
        Objects.requireNonNull(workdir, "workdir");
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "working directory"));
        Objects.requireNonNull(terminal, "terminal");
    }

    /** A command run as the sandbox's user. */
    public ExecRequest(List<String> argv, Map<String, String> env, Optional<String> workdir,
                       Optional<TerminalSize> terminal) {
        this(argv, env, workdir, terminal, false);
    }

    /** A command with an empty environment, the agent's directory and no terminal. */
    public static ExecRequest of(String... argv) {
        return new ExecRequest(List.of(argv), Map.of(), Optional.empty(), Optional.empty());
    }

    /** A copy with exactly this environment. */
    public ExecRequest withEnv(Map<String, String> value) {
        return new ExecRequest(argv, value, workdir, terminal, root);
    }

    /** A copy that runs in {@code dir}. */
    public ExecRequest withWorkdir(String dir) {
        return new ExecRequest(argv, env, Optional.of(dir), terminal, root);
    }

    /** A copy that runs on a pseudo-terminal of {@code rows} x {@code cols}. */
    public ExecRequest withTerminal(int rows, int cols) {
        return new ExecRequest(argv, env, workdir, Optional.of(new TerminalSize(rows, cols)), root);
    }

    /** A copy that runs as root of the sandbox ({@code true}) or as its user. */
    public ExecRequest asRoot(boolean value) {
        return new ExecRequest(argv, env, workdir, terminal, value);
    }

    /** Whether the command gets a pseudo-terminal. */
    public boolean tty() {
        return terminal.isPresent();
    }

    /** The environment as sorted {@code K=V} entries, as sent to the agent. */
    List<String> envEntries() {
        List<String> entries = new ArrayList<>(env.size());
        new TreeMap<>(env).forEach((k, v) -> entries.add(k + "=" + v));
        return entries;
    }
}
