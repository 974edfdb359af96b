package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ForkResult;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel fork SANDBOX [-n N | --name NAME...]}: new sandboxes with the files a sandbox has now. */
final class ForkCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "fork";
    }

    @Override
    public String usage() {
        return "SANDBOX [-n N | --name NAME...]";
    }

    @Override
    public String summary() {
        return "Make new sandboxes with the files a sandbox has now";
    }

    @Override
    public List<String> description() {
        return List.of("Take a snapshot of SANDBOX (kept, listed by 'agentkernel snapshot ls') and make new sandboxes",
                "from it, running: -n N of them named SANDBOX-1 ... SANDBOX-N (default 1), or one per --name. Each",
                "starts with SANDBOX's files (its image changes and /workspace, not /tmp, memory or processes) and",
                "sees nothing the others write later. All or nothing: if one cannot be made, none is kept.",
                "Prints the new sandboxes' names, one a line. Exit 5 if a name is taken or SANDBOX has no image of",
                "its own (the host's /usr, or --dir); exit 6 beyond the daemon's sandbox limit.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("n").longOpt("count").hasArg().argName("N")
                .desc("How many sandboxes to make (default 1)").get());
        o.addOption(Option.builder().longOpt("name").hasArg().argName("NAME")
                .desc("A new sandbox's name; repeat it for several").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel fork my-project -n 3",
                "agentkernel fork my-project --name try-a --name try-b",
                "for b in $(agentkernel fork my-project -n 2); do agentkernel exec \"$b\" -- make test & done; wait");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        String sandbox = oneName(args, name());
        String[] names = args.getOptionValues("name");
        Long count = OptionValues.wholeNumber(args, "count", "sandboxes");
        if (names != null && count != null) {
            throw new InvalidRequestException("give -n N or --name NAME..., not both");
        }
        if (count != null && count < 1) {
            throw new InvalidRequestException("-n must be at least 1, e.g. 'agentkernel fork " + sandbox + " -n 3'");
        }
        ForkResult fork = names != null ? client.forkSandbox(sandbox, List.of(names))
                : client.forkSandbox(sandbox, count == null ? 1 : (int) Math.min(count, Integer.MAX_VALUE));
        for (SandboxInfo s : fork.sandboxes()) {
            out.println(s.name());
        }
        err.println("agentkernel: forked " + sandbox + " into " + fork.sandboxes().size()
                + (fork.sandboxes().size() == 1 ? " sandbox" : " sandboxes") + " from snapshot " + fork.snapshot().name()
                + " (delete it with 'agentkernel snapshot rm " + fork.snapshot().name() + "' once they are gone)");
        return 0;
    }
}
