package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ConnectionException;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel start|stop|remove|pause|resume NAME...}: one request per sandbox, in order; a failure is
 * reported in one line and the others still happen; the exit code is the first failure's.
 */
final class SandboxActionCommand extends DaemonClientCommand {

    /** What the command does to each sandbox. */
    enum Action {
        START("start", "Start stopped sandboxes again, with their files", "started"),
        STOP("stop", "Stop sandboxes' processes, keeping their files", "stopped"),
        REMOVE("remove", "Remove sandboxes and their files (running ones are stopped first)", "removed"),
        // ---- pause and resume (issue 15) ----
        PAUSE("pause", "Pause running sandboxes: every process frozen, memory kept, no CPU", "paused"),
        RESUME("resume", "Resume paused sandboxes where they stopped", "resumed");

        final String word;
        final String summary;
        final String done;

        Action(String word, String summary, String done) {
            this.word = word;
            this.summary = summary;
            this.done = done;
        }
    }

    private final Action action;

    SandboxActionCommand(Action action) {
        this.action = action;
    }

    @Override
    public String name() {
        return action.word;
    }

    @Override
    public String usage() {
        return "NAME [NAME...]";
    }

    @Override
    public String summary() {
        return action.summary;
    }

    @Override
    public List<String> description() {
        return List.of(action.summary + ".",
                "Each sandbox is handled in turn; a failure is reported and the rest still happen.",
                "Exits 0 when all succeeded, else with the first failure's code (4: no such sandbox).",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOXES;
    }

    @Override
    Options commandOptions() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel " + action.word + " my-project", "agentkernel " + action.word + " web worker");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        List<String> names = args.getArgList();
        if (names.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel " + action.word + " NAME'");
        }
        int code = 0;
        for (String name : names) {
            try {
                switch (action) {
                    case START -> client.startSandbox(name);
                    case STOP -> client.stopSandbox(name);
                    case REMOVE -> client.removeSandbox(name);
                    case PAUSE -> client.pauseSandbox(name);
                    case RESUME -> client.resumeSandbox(name);
                }
                out.println("agentkernel: " + action.done + " sandbox " + name);
            } catch (ConnectionException e) {
                throw e;
            } catch (dev.agentkernel.client.AgentKernelException | IllegalArgumentException e) {
                out.flush();
                int failed = ExitCodes.report(e instanceof IllegalArgumentException
                        ? new InvalidRequestException(e.getMessage()) : e, err);
                code = code == 0 ? failed : code;
            }
        }
        return code;
    }
}
