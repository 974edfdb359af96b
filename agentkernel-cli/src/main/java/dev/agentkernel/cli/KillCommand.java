package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code agentkernel kill NAME ID...}: kills background processes of a sandbox, each with its process group. */
final class KillCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String usage() {
        return "NAME ID [ID...]";
    }

    @Override
    public String summary() {
        return "Kill background processes of a sandbox with everything they started";
    }

    @Override
    public List<String> description() {
        return List.of("Kill background processes of a running sandbox (started with 'agentkernel exec -d'): each with",
                "every process it started (its process group), by SIGKILL. One that ended already is left as it is.",
                "Each id is handled in turn; exits 0 when all succeeded, else with the first failure's code.",
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
        return List.of("agentkernel kill my-project bg-3f9c2a61d0b8",
                "agentkernel ps my-project --json | jq -r '.[] | select(.status == \"running\") | .id' "
                        + "| xargs agentkernel kill my-project");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel kill NAME ID'");
        }
        if (words.size() == 1) {
            throw new InvalidRequestException("no process id given: try 'agentkernel kill " + words.getFirst()
                    + " ID' (ids are listed by 'agentkernel ps " + words.getFirst() + "')");
        }
        String name = words.getFirst();
        int first = 0;
        for (String id : words.subList(1, words.size())) {
            try {
                out.println(client.killDetached(name, id));
            } catch (dev.agentkernel.client.ConnectionException e) {
                throw e;
            } catch (dev.agentkernel.client.AgentKernelException | IllegalArgumentException e) {
                out.flush();
                int failed = ExitCodes.report(e instanceof IllegalArgumentException
                        ? new InvalidRequestException(e.getMessage()) : e, err);
                first = first == 0 ? failed : first;
            }
        }
        return first;
    }
}
