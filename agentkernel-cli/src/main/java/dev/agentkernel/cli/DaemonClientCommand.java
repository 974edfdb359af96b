package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ConnectionException;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * A subcommand that talks to a running daemon through the SDK: adds {@code --url}, finds the
 * daemon ({@link DaemonEndpoint}), and turns a daemon that does not answer into one line and
 * exit code 69 ({@link DaemonUnavailableException}). Nothing is started automatically.
 */
abstract class DaemonClientCommand implements Subcommand {

    /** The paragraph every such command's help ends with. */
    static final String FINDING = "Needs a running daemon: --url, else AGENTKERNEL_BASE_URL, else the one 'agentkernel daemon start'\n"
            + "started, else http://localhost:18888 (the key: AGENTKERNEL_API_KEY, else this machine's daemon's\n"
            + "STATE/api-key); exit 69 if none answers.";

    /** The command's own options ({@code --url} and {@code --help} are added). */
    abstract Options commandOptions();

    /** Runs with a client of the daemon; usage is checked before the first request. */
    abstract int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception;

    @Override
    public final Options options() {
        Options o = commandOptions();
        o.addOption(Option.builder().longOpt("url").hasArg().argName("URL")
                .desc("The daemon's URL (overrides AGENTKERNEL_BASE_URL and the daemon 'daemon start' started)").get());
        return o;
    }

    @Override
    public final int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        DaemonEndpoint daemon = DaemonEndpoint.resolve(args.getOptionValue("url"), System.getenv(),
                HostContext.current().stateDir().toAbsolutePath());
        try (AgentKernel client = daemon.client()) {
            return run(client, daemon, args, out, err);
        } catch (ConnectionException e) {
            throw DaemonUnavailableException.of(daemon.url(), e);
        } catch (dev.agentkernel.client.NotFoundException e) {
            if (e.code().filter("no_route"::equals).isPresent()) {
                // A daemon older than this CLI (e.g. without code sessions): say so rather than "no route".
                throw new dev.agentkernel.model.NotFoundException("the daemon at " + daemon.url() + " does not know this "
                        + "request (" + e.getMessage() + "): it is older than this agentkernel; restart it with the "
                        + "same version ('agentkernel daemon stop', then 'agentkernel daemon start')");
            }
            throw e;
        } catch (IllegalArgumentException e) {
            // The SDK's check of an argument (e.g. a sandbox name of '..'): the user's to fix.
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** The one positional argument, a sandbox's name. */
    static String oneName(CommandLine args, String command) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel " + command + " NAME'");
        }
        if (words.size() > 1) {
            throw new InvalidRequestException("unexpected argument '" + words.get(1) + "' after the sandbox name '"
                    + words.getFirst() + "'");
        }
        return words.getFirst();
    }

    /** No positional argument. */
    static void noArguments(CommandLine args, String command) {
        if (!args.getArgList().isEmpty()) {
            throw new InvalidRequestException("unexpected argument '" + args.getArgList().getFirst() + "': '"
                    + command + "' takes options only");
        }
    }

    /**
     * A sandbox that must run for {@code what}: its info, or a conflict saying how to start it. A
     * paused one passes: the daemon resumes it, or refuses with its own message (its setting).
     */
    static dev.agentkernel.client.SandboxInfo requireRunning(AgentKernel client, String name) {
        dev.agentkernel.client.SandboxInfo info = client.getSandbox(name);
        if (!info.running() && !info.paused()) {
            throw new dev.agentkernel.model.ConflictException("sandbox '" + name + "' is " + info.status()
                    + "; start it with 'agentkernel start " + name + "'");
        }
        return info;
    }
}
