package dev.agentkernel.mcp;

import dev.agentkernel.api.DetachedCommand;
import dev.agentkernel.api.DetachedKilled;
import dev.agentkernel.api.DetachedList;
import dev.agentkernel.api.DetachedLogs;
import dev.agentkernel.api.DetachedOutput;
import dev.agentkernel.core.sandbox.BackgroundProcess;
import dev.agentkernel.core.sandbox.BackgroundProcesses;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.SandboxPaths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Background processes of persistent sandboxes: {@code background_start}, {@code background_list},
 * {@code background_logs} (optionally waiting for the end first), {@code background_kill} (with the process
 * group). Every argument is checked before any work. Package-private.
 */
final class BackgroundTools {

    private static final String NAME_EXAMPLE = "{\"name\": \"my-sandbox\", \"id\": \"bg-3f9c2a61d0b8\"}";
    /** Longest wait of {@code background_logs}. */
    static final Duration MAX_WAIT = Duration.ofSeconds(300);

    private final SandboxManager sandboxes;

    BackgroundTools(SandboxManager sandboxes) {
        this.sandboxes = sandboxes;
    }

    List<ToolDefinition> definitions() {
        return List.of(start(), list(), logs(), kill());
    }

    private ToolDefinition start() {
        return new ToolDefinition("background_start", "Start a background process in a sandbox",
                "Start a command in the background in a running persistent sandbox (a server, a watcher, a long "
                        + "build) and return its id at once. It runs in its own process group until it ends, is "
                        + "killed with background_kill, or the sandbox stops; read its output with background_logs. "
                        + "command is an array (argv) or one string run by /bin/sh -c.",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .raw("command", Map.of("type", List.of("array", "string"), "items", Map.of("type", "string"),
                                "description", "The command: argv, e.g. [\"python3\", \"-m\", \"http.server\"], or a "
                                        + "shell command line, e.g. \"npm run dev > /tmp/dev.log 2>&1\""), true)
                        .strings("env", "Environment variables as KEY=VALUE", false)
                        .string("workdir", "The working directory, an absolute path (default: /workspace)", false)
                        .bool("sudo", "Run as root of the sandbox (root of its own user namespace, never the host's) "
                                + "instead of its unprivileged user, uid 1000 (default: false)", false),
                DetachedCommand.class,
                Effect.ADDS,
                args -> {
                    String name = name(args);
                    List<String> command = args.command("command");
                    Optional<String> workdir = args.optionalString("workdir");
                    workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
                    Map<String, String> env = new LinkedHashMap<>();
                    for (String assignment : args.strings("env", "[\"PORT=8000\"]")) {
                        String[] kv = EnvVar.parse(assignment);
                        env.put(kv[0], kv[1]);
                    }
                    boolean sudo = args.flag("sudo", false);
                    BackgroundProcess process = sandboxes.background(name)
                            .start(new CommandSpec(command, env, workdir, Optional.empty(), sudo));
                    return Results.ok(WireViews.detached(process.info()));
                });
    }

    private ToolDefinition list() {
        return new ToolDefinition("background_list", "List a sandbox's background processes",
                "List the background processes of a running persistent sandbox, oldest first: the running ones "
                        + "and the newest ended ones, with status (running, completed, failed) and exit code.",
                Schema.object().string("name", "The sandbox's name", true),
                DetachedList.class,
                Effect.READS,
                args -> {
                    String name = name(args);
                    return Results.ok(new DetachedList(name, sandboxes.background(name).list().stream()
                            .map(p -> WireViews.detached(p.info())).toList()));
                });
    }

    private ToolDefinition logs() {
        return new ToolDefinition("background_logs", "Read a background process's output",
                "Return a background process's status and what it wrote so far (the last 2 MiB of each stream; "
                        + "stdout_dropped/stderr_dropped say how much was dropped before). With wait, first wait up "
                        + "to that many seconds for it to end.",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .string("id", "The process's id, as background_start or background_list gave it", true)
                        .number("wait", "Seconds to wait for the process to end first, 0 to 300 (default 0)", false),
                DetachedOutput.class,
                Effect.READS,
                args -> {
                    String name = name(args);
                    String id = id(args);
                    Duration wait = args.wait("wait", Duration.ZERO, MAX_WAIT);
                    BackgroundProcess process = sandboxes.background(name).get(id);
                    if (!wait.isZero()) {
                        process.await(wait);
                    }
                    BackgroundProcess.Info info = process.info();    // before the output: output is never newer
                    DetachedLogs logs = WireViews.detachedLogs(process.output(), Optional.empty());
                    return Results.ok(new DetachedOutput(WireViews.detached(info), logs.stdout(), logs.stderr(),
                            logs.stdoutDropped(), logs.stderrDropped()));
                });
    }

    private ToolDefinition kill() {
        return new ToolDefinition("background_kill", "Kill a background process",
                "Kill a background process of a sandbox with every process it started (its process group), by "
                        + "SIGKILL. One that ended already is left as it is.",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .string("id", "The process's id", true),
                DetachedKilled.class,
                Effect.DESTROYS,
                args -> {
                    String name = name(args);
                    String id = id(args);
                    BackgroundProcesses processes = sandboxes.background(name);
                    boolean wasRunning = processes.get(id).isRunning();
                    BackgroundProcess process = processes.kill(id);
                    return Results.ok(new DetachedKilled(WireViews.detached(process.info()), wasRunning
                            ? "Killed background process " + id : "Background process " + id + " had already ended"));
                });
    }

    private static String name(Arguments args) {
        return SandboxNames.requireValid(args.requiredString("name", NAME_EXAMPLE));
    }

    private static String id(Arguments args) {
        return args.requiredString("id", NAME_EXAMPLE);
    }
}
