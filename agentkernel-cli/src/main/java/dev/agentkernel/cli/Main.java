package dev.agentkernel.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * Entry point of the {@code agentkernel} command: picks the subcommand, parses its options
 * with Apache Commons CLI, runs it and turns every error into one line and an exit code
 * ({@link ExitCodes}). Kept free of reflection so the JVM's ahead-of-time cache covers the
 * whole start path.
 */
public final class Main {

    /** Name and summary; {@link #create} makes the command, so its classes load only when it runs. */
    private record Entry(String name, String summary) {

        Subcommand factory() {
            return create(name);
        }
    }

    /**
     * The command named {@code name}: a switch, not a table of lambdas, because a JVM that just
     * started links each lambda on first use (8 ms for the 37 of this table, JFR samples of {@code run}) and
     * {@code run} needs one ('run' never links the server either).
     */
    private static Subcommand create(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "create" -> new CreateCommand();
            case "start" -> new SandboxActionCommand(SandboxActionCommand.Action.START);
            case "stop" -> new SandboxActionCommand(SandboxActionCommand.Action.STOP);
            case "remove" -> new SandboxActionCommand(SandboxActionCommand.Action.REMOVE);
            case "pause" -> new SandboxActionCommand(SandboxActionCommand.Action.PAUSE);
            case "resume" -> new SandboxActionCommand(SandboxActionCommand.Action.RESUME);
            case "extend" -> new ExtendCommand();
            case "list" -> new ListCommand();
            case "exec" -> new ExecCommand();
            case "attach" -> new AttachCommand();
            case "ps" -> new PsCommand();
            case "logs" -> new LogsCommand();
            case "kill" -> new KillCommand();
            case "cp" -> new CpCommand();
            case "snapshot" -> new SnapshotCommand();
            case "fork" -> new ForkCommand();
            case "code" -> new CodeCommand();
            case "repl" -> new ReplCommand();
            case "sessions" -> new SessionsCommand();
            case "task" -> new TaskCommand();
            case "tools" -> new ToolsCommand();
            case "audit" -> new AuditCommand();
            case "status" -> new StatusCommand();
            case "mcp" -> new McpCommand();
            case "agents" -> new AgentsCommand();
            case "pull" -> new PullCommand();
            case "images" -> new ImagesCommand();
            case "rmi" -> new RmiCommand();
            case "image" -> new ImageCommand();
            case "volume" -> new VolumeCommand();
            case "secret" -> new SecretCommand();
            case "serve" -> new ServeCommand();
            case "daemon" -> new DaemonCommand();
            case "doctor" -> new DoctorCommand();
            case "setup" -> new SetupCommand();
            case "completion" -> new CompletionCommand();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("run", "Run a command in a fresh isolated sandbox"),
            new Entry("create", "Create and start a persistent sandbox"),
            new Entry("start", "Start stopped sandboxes again"),
            new Entry("stop", "Stop sandboxes, keeping their files"),
            new Entry("remove", "Remove sandboxes and their files"),
            // ---- pause and resume (issue 15) ----
            new Entry("pause", "Pause sandboxes, keeping their memory"),
            new Entry("resume", "Resume paused sandboxes"),
            new Entry("extend", "Give a sandbox created with --ttl more time"),
            new Entry("list", "List the persistent sandboxes"),
            new Entry("exec", "Run a command in a running sandbox"),
            new Entry("attach", "Open an interactive shell in a running sandbox"),
            // background processes (issue 15, point 3); 'exec -d' starts them
            new Entry("ps", "List the background processes of a running sandbox"),
            new Entry("logs", "Show the output of a background process of a sandbox"),
            new Entry("kill", "Kill background processes of a sandbox with everything they started"),
            new Entry("cp", "Copy a file between this machine and a sandbox"),
            new Entry("snapshot", "Take, list, show, delete and restore snapshots of sandboxes"),
            new Entry("fork", "Make new sandboxes with the files a sandbox has now"),
            new Entry("code", "Run code in a stateful code session (Python, Node.js, bash)"),
            new Entry("repl", "Open an interactive interpreter in a code session"),
            new Entry("sessions", "List, show or delete code sessions; their statistics"),
            new Entry("task", "Run code as background tasks: dispatch, status, wait, list, cancel"),
            new Entry("tools", "List the tool libraries tasks may use"),
            new Entry("audit", "Show the audit log of the daemon or of one sandbox"),
            new Entry("status", "Show the daemon's status and its sandboxes"),
            new Entry("mcp", "Serve the daemon's MCP tools on stdin/stdout (for MCP clients)"),
            new Entry("agents", "Show which AI coding agents are installed, have API keys and use AgentKernel"),
            new Entry("pull", "Pull an image from its registry into the local image store"),
            new Entry("images", "List the images in the local image store"),
            new Entry("rmi", "Remove images from the local image store"),
            new Entry("image", "Prune the local image store or import an image archive"),
            new Entry("volume", "Create, list, inspect or remove named volumes that outlive sandboxes"),
            new Entry("secret", "Set, list or remove secrets that sandboxes use without seeing them"),
            new Entry("serve", "Serve the HTTP API in the foreground"),
            new Entry("daemon", "Start, stop or inspect the HTTP API server in the background"),
            new Entry("doctor", "Check that isolation, limits, network, mounts and the daemon work"),
            new Entry("setup", "Install and start what AgentKernel needs, then check it all works"),
            new Entry("completion", "Print a shell completion script (bash, zsh)"));

    /** Every subcommand, in the order of the help (for completion scripts). */
    static List<Subcommand> subcommands() {
        return ENTRIES.stream().map(e -> e.factory()).toList();
    }

    private final Map<String, Entry> commands = new LinkedHashMap<>();

    private Main() {
        for (Entry e : ENTRIES) {
            commands.put(e.name(), e);
        }
    }

    /** The launcher's AOT training run (not a command: not listed, not completed). */
    static final String AOT_TRAINING = "__aot-training";

    /**
     * What the launcher records its AOT class cache from: a sandbox on the host's {@code /usr}
     * and a listing of the image store (its records parsed, as a run on an image parses them;
     * trained on {@code run} alone, a run on an image took 0.31 s instead of 0.16 s). Output is
     * discarded and failures do not matter: the cache keeps whatever was loaded.
     */
    private int train() {
        PrintWriter sink = new PrintWriter(java.io.Writer.nullWriter());
        for (String[] command : List.of(new String[] {"run", "--image", "host", "--no-network", "--", "/bin/true"},
                new String[] {"images", "--json"})) {
            try {
                dispatch(command, sink, sink);
            } catch (RuntimeException e) {
                // a training step that cannot run here leaves its classes out of the cache, nothing more
            }
        }
        return 0;
    }

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given output writers (for tests) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return new Main().dispatch(args, out, err);
    }

    private int dispatch(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && args[0].equals(AOT_TRAINING)) {
            return train();
        }
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            printRootHelp(out);
            return 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V") || args[0].equals("version")) {
            out.println("agentkernel " + version());
            return 0;
        }
        if (args[0].equals("help")) {
            if (args.length > 1 && commands.containsKey(args[1])) {
                Subcommand c = commands.get(args[1]).factory();
                HelpPrinter.print(c, withHelp(c.options()), out);
            } else {
                printRootHelp(out);
            }
            return 0;
        }
        Entry entry = commands.get(args[0]);
        if (entry == null) {
            err.println("agentkernel: error: unknown command '" + args[0] + "'; commands: "
                    + String.join(", ", commands.keySet()));
            err.println("try 'agentkernel --help'");
            return ExitCodes.USAGE;
        }
        Subcommand command = entry.factory();
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Options options = withHelp(command.options());
        CommandLine parsed;
        try {
            parsed = parse(command, options, rest);
        } catch (ParseException e) {
            err.println("agentkernel: error: " + ExitCodes.describe(e));
            err.println("try 'agentkernel " + command.name() + " --help'");
            return ExitCodes.USAGE;
        } catch (UsageError e) {
            err.println("agentkernel: error: " + e.getMessage());
            err.println("try 'agentkernel " + command.name() + " --help'");
            return ExitCodes.USAGE;
        }
        if (parsed.hasOption("help")) {
            HelpPrinter.print(command, options, out);
            return 0;
        }
        try {
            return command.run(parsed, out, err);
        } catch (Exception | Error e) {
            // Never a stack trace: even an Error (a broken installation, a stack overflow) is one line.
            return ExitCodes.report(e, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A usage error found after parsing (an unknown option where a command should start). */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses {@code rest}: all of it; up to the command ({@link Subcommand#stopsAtCommand()});
     * or options, a name, options, then the command ({@link Subcommand#nameThenCommand()}).
     */
    static CommandLine parse(Subcommand command, Options options, String[] rest) throws ParseException, UsageError {
        DefaultParser parser = DefaultParser.builder().setAllowPartialMatching(false).build();
        boolean stops = command.stopsAtCommand() || command.nameThenCommand();
        CommandLine parsed = parser.parse(options, rest, stops);
        if (!stops) {
            return parsed;
        }
        int commandStart = rest.length - parsed.getArgList().size();
        if (!command.nameThenCommand() || parsed.getArgList().isEmpty() || afterDoubleDash(rest, commandStart)) {
            checkCommandStart(parsed, rest, commandStart);
            return parsed;
        }
        // exec NAME [OPTIONS] [--] CMD...: parse the options after the name too.
        String[] tail = Arrays.copyOfRange(rest, commandStart + 1, rest.length);
        CommandLine after = parser.parse(options, tail, true);
        checkCommandStart(after, tail, tail.length - after.getArgList().size());
        CommandLine.Builder merged = CommandLine.builder();
        for (Option o : parsed.getOptions()) {
            merged.addOption(o);
        }
        for (Option o : after.getOptions()) {
            merged.addOption(o);
        }
        merged.addArg(parsed.getArgList().getFirst());
        after.getArgList().forEach(merged::addArg);
        return merged.get();
    }

    private static boolean afterDoubleDash(String[] rest, int index) {
        return index > 0 && rest[index - 1].equals("--");
    }

    private static void checkCommandStart(CommandLine parsed, String[] rest, int commandStart) throws UsageError {
        if (!parsed.getArgList().isEmpty() && parsed.getArgList().getFirst().startsWith("-")
                && !afterDoubleDash(rest, commandStart)) {
            throw new UsageError("unknown option '" + parsed.getArgList().getFirst()
                    + "' (to run a program whose name starts with '-', put it after --)");
        }
    }

    private static Options withHelp(Options options) {
        Options copy = new Options();
        options.getOptions().forEach(copy::addOption);
        copy.addOption(Option.builder("h").longOpt("help").desc("Show this help").get());
        return copy;
    }

    private void printRootHelp(PrintWriter out) {
        out.println("Usage: agentkernel COMMAND [OPTIONS]");
        out.println();
        out.println("Run untrusted code in isolated sandboxes.");
        out.println();
        out.println("Commands:");
        for (Entry e : commands.values()) {
            out.printf("  %-11s %s%n", e.name(), e.summary());
        }
        out.printf("  %-11s %s%n", "help", "Show help for a command");
        out.println();
        out.println("Options:");
        out.println("  -h, --help     Show this help");
        out.println("  -V, --version  Show the version");
        out.println();
        out.println("Examples:");
        out.println("  agentkernel run python3 -c \"print('Hello from sandbox!')\"");
        out.println("  agentkernel run --profile restrictive --timeout 10 -- sh -c 'echo hi'");
        out.println("  agentkernel daemon start");
        out.println("  agentkernel create my-project --dir . && agentkernel exec my-project ls /workspace");
        out.println("  agentkernel attach my-project");
        out.println("  agentkernel cp report.csv my-project:/workspace/report.csv");
        out.println("  agentkernel code 'print(6 * 7)'; agentkernel repl -t node; agentkernel sessions");
        out.println("  id=$(agentkernel task dispatch 'print(6 * 7)'); agentkernel task wait \"$id\"; agentkernel task list");
        out.println("  agentkernel list; agentkernel audit -s my-project");
        out.println("  agentkernel pull python:3.12-alpine; agentkernel images; agentkernel image import python.tar");
        out.println("  agentkernel volume create data; agentkernel create box --volume data:/data");
        out.println("  agentkernel doctor");
        out.println("  source <(agentkernel completion bash)");
        out.println();
        out.println("The commands from create to mcp talk to a running daemon: --url, else AGENTKERNEL_BASE_URL,");
        out.println("else the one 'agentkernel daemon start' started, else http://localhost:18888. When none answers");
        out.println("they exit with 69; start one with 'agentkernel daemon start'.");
        out.println();
        out.println("Run 'agentkernel COMMAND --help' for a command's options.");
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
