package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.EventStream;
import dev.agentkernel.client.ExecOptions;
import dev.agentkernel.client.StreamEvent;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel exec NAME [-e K=V] [-w DIR] [--] CMD...}: a command in a running sandbox,
 * its stdout and stderr streamed live to ours, its exit code ours.
 */
final class ExecCommand extends DaemonClientCommand {

    /** The exit code when stdout or stderr is closed under us: 128 + SIGPIPE, as a shell reports it. */
    static final int BROKEN_PIPE = 141;

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String usage() {
        return "NAME [OPTIONS] [--] CMD [ARGS...]";
    }

    @Override
    public String summary() {
        return "Run a command in a running sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Run a command inside a running sandbox. Arguments are passed as argv (never through a shell);",
                "stdout and stderr stream live to this terminal's, and the command's exit code becomes agentkernel's",
                "(124 on timeout). Options go before the command; put -- before a command that starts with '-'.",
                "stdin is not passed on: use 'agentkernel attach' for an interactive program.",
                "With -d the command runs in the background: its id is printed at once; see it with 'agentkernel ps',",
                "its output with 'agentkernel logs [-f]', end it with 'agentkernel kill'. It ends when the sandbox stops.",
                FINDING);
    }

    @Override
    public boolean nameThenCommand() {
        return true;
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX_THEN_COMMAND;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("e").longOpt("env").hasArg().argName("K=V").desc("Set an environment variable (repeatable)").get());
        o.addOption(Option.builder("w").longOpt("workdir").hasArg().argName("DIR")
                .desc("Working directory inside the sandbox (absolute; default /workspace)").get());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("SECONDS")
                .desc("Kill the command after this many seconds (exit code 124)").get());
        o.addOption(Option.builder("d").longOpt("detach")
                .desc("Run it in the background and print its id (see 'agentkernel ps', 'logs', 'kill')").get());
        o.addOption(Option.builder().longOpt("sudo")
                .desc("Run as root of the sandbox (its own user namespace's root, never the host's) instead of uid 1000").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel exec my-project npm test",
                "agentkernel exec my-project -e DEBUG=1 -w /workspace/app -- python3 -m pytest -x",
                "agentkernel exec my-project -- sh -c 'ls -la | wc -l'",
                "agentkernel exec --timeout 60 my-project make build",
                "agentkernel exec --sudo my-project apt-get install -y jq",
                "agentkernel exec -d my-project -- python3 -m http.server 8000");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel exec NAME -- CMD'");
        }
        String name = words.getFirst();
        List<String> command = words.subList(1, words.size());
        if (command.isEmpty()) {
            throw new InvalidRequestException("no command given: try 'agentkernel exec " + name + " -- ls -la'");
        }
        if (args.hasOption("detach") && args.hasOption("timeout")) {
            throw new InvalidRequestException("--timeout does not apply to --detach: a background process runs until it"
                    + " ends or is killed ('agentkernel kill " + name + " ID')");
        }
        ExecOptions options = options(args);
        if (args.hasOption("detach")) {
            out.println(client.execDetached(name, command, options).id());
            return 0;
        }
        requireRunning(client, name);
        try (EventStream events = client.execStream(name, command, options)) {
            for (StreamEvent event : events) {
                switch (event) {
                    case StreamEvent.Output o -> {
                        PrintWriter to = o.stderr() ? err : out;
                        to.print(o.text());
                        to.flush();
                        if (to.checkError()) {
                            // Nobody reads any more (| head): closing the stream ends the command, as SIGPIPE would.
                            return BROKEN_PIPE;
                        }
                    }
                    case StreamEvent.Done d -> {
                        out.flush();
                        d.reason().ifPresent(r -> err.println("agentkernel: " + r));
                        return d.exitCode();
                    }
                    case StreamEvent.Error e -> {
                        out.flush();
                        err.println("agentkernel: error: " + e.message());
                        return e.message().contains("is stopped") || e.message().contains("stopped while")
                                ? ExitCodes.CONFLICT : ExitCodes.SANDBOX_FAILURE;
                    }
                    default -> {
                        // started, progress: nothing to show
                    }
                }
            }
        }
        // The stream ends after done or error, or throws: this is not reached.
        throw DaemonUnavailableException.of(daemon.url(), new java.io.IOException("the command's output ended early"));
    }

    static ExecOptions options(CommandLine args) {
        ExecOptions options = ExecOptions.defaults();
        String[] assignments = args.getOptionValues("env");
        if (assignments != null) {
            for (String assignment : assignments) {
                String[] kv = EnvVar.parse(assignment);
                options = options.withEnv(kv[0], kv[1]);
            }
        }
        if (args.hasOption("workdir")) {
            String workdir = args.getOptionValue("workdir");
            if (!workdir.startsWith("/")) {
                throw new InvalidRequestException("--workdir must be an absolute path inside the sandbox, e.g. "
                        + "/workspace; got '" + workdir + "'");
            }
            options = options.withWorkdir(workdir);
        }
        Double seconds = OptionValues.number(args, "timeout", "seconds");
        if (seconds != null) {
            if (!(seconds > 0) || seconds > CommandSpec.MAX_TIMEOUT.toSeconds()) {
                throw new InvalidRequestException("--timeout must be a positive number of seconds up to "
                        + CommandSpec.MAX_TIMEOUT.toSeconds() + ", got " + args.getOptionValue("timeout"));
            }
            options = options.withTimeout(Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
        }
        return options.withSudo(args.hasOption("sudo"));
    }
}
