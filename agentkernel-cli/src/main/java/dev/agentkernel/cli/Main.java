package dev.agentkernel.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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

    /** Name, summary and factory: a command's classes load only when it runs ('run' never links the server). */
    private record Entry(String name, String summary, Supplier<Subcommand> factory) {
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("run", "Run a command in a fresh isolated sandbox", RunCommand::new),
            new Entry("serve", "Serve the HTTP API in the foreground", ServeCommand::new),
            new Entry("daemon", "Start, stop or inspect the HTTP API server in the background", DaemonCommand::new),
            new Entry("doctor", "List isolation backends and whether they can run here", DoctorCommand::new));

    private final Map<String, Entry> commands = new LinkedHashMap<>();

    private Main() {
        for (Entry e : ENTRIES) {
            commands.put(e.name(), e);
        }
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
                Subcommand c = commands.get(args[1]).factory().get();
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
        Subcommand command = entry.factory().get();
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Options options = withHelp(command.options());
        CommandLine parsed;
        try {
            parsed = DefaultParser.builder().setAllowPartialMatching(false).build()
                    .parse(options, rest, command.stopsAtCommand());
        } catch (ParseException e) {
            err.println("agentkernel: error: " + ExitCodes.describe(e));
            err.println("try 'agentkernel " + command.name() + " --help'");
            return ExitCodes.USAGE;
        }
        int commandStart = rest.length - parsed.getArgList().size();
        if (command.stopsAtCommand() && !parsed.getArgList().isEmpty() && parsed.getArgList().getFirst().startsWith("-")
                && !(commandStart > 0 && rest[commandStart - 1].equals("--"))) {
            err.println("agentkernel: error: unknown option '" + parsed.getArgList().getFirst()
                    + "' (to run a program whose name starts with '-', put it after --)");
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
            out.printf("  %-10s %s%n", e.name(), e.summary());
        }
        out.printf("  %-10s %s%n", "help", "Show help for a command");
        out.println();
        out.println("Options:");
        out.println("  -h, --help     Show this help");
        out.println("  -V, --version  Show the version");
        out.println();
        out.println("Examples:");
        out.println("  agentkernel run python3 -c \"print('Hello from sandbox!')\"");
        out.println("  agentkernel run --profile restrictive --timeout 10 -- sh -c 'echo hi'");
        out.println("  agentkernel serve --port 18888");
        out.println("  agentkernel daemon start; agentkernel daemon status");
        out.println("  agentkernel doctor");
        out.println();
        out.println("Run 'agentkernel COMMAND --help' for a command's options.");
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
