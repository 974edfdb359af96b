package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code agentkernel extend NAME TIME}: more time for a sandbox created with {@code --ttl}. */
final class ExtendCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "extend";
    }

    @Override
    public String usage() {
        return "NAME TIME";
    }

    @Override
    public String summary() {
        return "Give a sandbox created with --ttl more time";
    }

    @Override
    public List<String> description() {
        return List.of("Move the expiry of a sandbox created with 'create --ttl' TIME later (90s, 30m, 2h, 7d),",
                "counted from now if it has passed. A sandbox without a time to live keeps none.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX;
    }

    @Override
    Options commandOptions() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel extend trial 1h", "agentkernel extend trial 1d");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        List<String> rest = args.getArgList();
        if (rest.size() != 2) {
            throw new InvalidRequestException("extend needs a sandbox and a length of time, e.g. 'agentkernel extend "
                    + "trial 1h'");
        }
        Optional<java.time.Instant> expiry = client.extendSandbox(rest.get(0),
                CreateCommand.lengthOfTime(rest.get(1), "TIME"));
        out.println(expiry.map(at -> "agentkernel: sandbox " + rest.get(0) + " now expires at " + at)
                .orElse("agentkernel: sandbox " + rest.get(0) + " has no time to live; nothing to extend"));
        return 0;
    }
}
