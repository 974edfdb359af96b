package dev.agentkernel.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code agentkernel} command. */
@Command(name = "agentkernel", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run untrusted code in isolated sandboxes.%n",
        subcommands = {RunCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class},
        footer = {"%nExamples:",
                "  agentkernel run python3 -c \"print('Hello from sandbox!')\"",
                "  agentkernel run --profile restrictive --timeout 10 -- sh -c 'echo hi'",
                "  agentkernel doctor"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given output writers (for tests) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        cli.setParameterExceptionHandler(ExitCodes::handleParameterException);
        // "run python3 -c ..." : everything from the command on belongs to the command.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"agentkernel " + (v == null ? "dev" : v)};
        }
    }
}
