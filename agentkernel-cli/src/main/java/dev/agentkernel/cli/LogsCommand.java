package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.BackgroundLogs;
import dev.agentkernel.client.EventStream;
import dev.agentkernel.client.StreamEvent;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel logs NAME ID [-f]}: a background process's output so far, its stdout to ours and its
 * stderr to ours; with {@code -f}, then new output as it comes until the process ends.
 */
final class LogsCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String usage() {
        return "NAME ID [-f]";
    }

    @Override
    public String summary() {
        return "Show the output of a background process of a sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Print what a background process (started with 'agentkernel exec -d') wrote so far: its stdout",
                "to this terminal's stdout, its stderr to stderr. The daemon keeps the last 2 MiB of each stream; when",
                "more was written, a note on stderr says how much was dropped. With -f, keep printing its output as it",
                "comes until it ends (Ctrl-C stops following, never the process).",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("f").longOpt("follow").desc("Follow the output until the process ends").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel logs my-project bg-3f9c2a61d0b8", "agentkernel logs -f my-project bg-3f9c2a61d0b8");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        String[] target = nameAndId(args, name());
        if (!args.hasOption("follow")) {
            BackgroundLogs logs = client.detachedLogs(target[0], target[1]);
            dropped(logs.stdoutDropped(), "stdout", err);
            dropped(logs.stderrDropped(), "stderr", err);
            out.print(logs.stdout().orElse(""));
            out.flush();
            err.print(logs.stderr().orElse(""));
            err.flush();
            return 0;
        }
        try (EventStream events = client.followDetached(target[0], target[1])) {
            for (StreamEvent event : events) {
                switch (event) {
                    case StreamEvent.Output o -> {
                        PrintWriter to = o.stderr() ? err : out;
                        to.print(o.text());
                        to.flush();
                        if (to.checkError()) {
                            return ExecCommand.BROKEN_PIPE;
                        }
                    }
                    case StreamEvent.Done d -> {
                        out.flush();
                        return 0;
                    }
                    case StreamEvent.Error e -> {
                        out.flush();
                        err.println("agentkernel: error: " + e.message());
                        return ExitCodes.SANDBOX_FAILURE;
                    }
                    default -> {
                        // started, progress: nothing to show
                    }
                }
            }
        }
        return 0;
    }

    private static void dropped(long bytes, String stream, PrintWriter err) {
        if (bytes > 0) {
            err.println("agentkernel: the first " + bytes + " bytes of " + stream + " were dropped (the daemon keeps the last"
                    + " part of each stream)");
        }
    }

    /** {@code NAME ID}: exactly two positional arguments. */
    static String[] nameAndId(CommandLine args, String command) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel " + command + " NAME ID'");
        }
        if (words.size() == 1) {
            throw new InvalidRequestException("no process id given: try 'agentkernel " + command + " " + words.getFirst()
                    + " ID' (ids are listed by 'agentkernel ps " + words.getFirst() + "')");
        }
        if (words.size() > 2) {
            throw new InvalidRequestException("unexpected argument '" + words.get(2) + "' after the process id '"
                    + words.get(1) + "'");
        }
        return new String[] {words.get(0), words.get(1)};
    }
}
