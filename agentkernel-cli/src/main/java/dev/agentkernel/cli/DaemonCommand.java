package dev.agentkernel.cli;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel daemon start|stop|status}: {@code serve} in the background, with its pid
 * file, address and log in the state directory. Checks the action and which options apply to
 * it, then hands over to {@link DaemonStart}, {@link DaemonStop} or {@link DaemonStatus}.
 */
final class DaemonCommand implements Subcommand {

    /** How long {@code start} waits for {@code GET /health}. */
    static final Duration START_WAIT = Duration.ofSeconds(30);
    static final double DEFAULT_STOP_TIMEOUT = 30;
    private static final List<String> ACTIONS = List.of("start", "stop", "status");

    /** The action each option belongs to. */
    private static final Map<String, String> OPTION_ACTION = Map.ofEntries(Map.entry("host", "start"),
            Map.entry("port", "start"), Map.entry("max-sandboxes", "start"), Map.entry("pool-size", "start"),
            Map.entry("backend", "start"), Map.entry("allow-dir", "start"), Map.entry("allow-origin", "start"),
            Map.entry("allow-host", "start"), Map.entry("no-auth", "start"), Map.entry(LogFormat.OPTION, "start"), Map.entry("timeout", "stop"),
            Map.entry("json", "status"));

    @Override
    public String name() {
        return "daemon";
    }

    @Override
    public String usage() {
        return "start|stop|status [OPTIONS]";
    }

    @Override
    public String summary() {
        return "Start, stop or inspect the HTTP API server in the background";
    }

    @Override
    public List<String> description() {
        return List.of("Run 'agentkernel serve' in the background and manage it.",
                "  start   start it (same options as serve) and wait until GET /health answers; refused if one runs",
                "  stop    SIGTERM (running commands finish), SIGKILL after --timeout; fine if none runs",
                "  status  pid, address, uptime, runs, sandboxes and warm pool; exits 0 running, 3 not running,",
                "          4 running but not answering. --json prints GET /status's data plus a \"daemon\" object.",
                "Its pid file (daemon.pid), address (daemon.json) and log (daemon.log) live in the state directory",
                "(AGENTKERNEL_STATE_DIR; /var/lib/agentkernel as root). status sends AGENTKERNEL_API_KEY if set.");
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("host").hasArg().argName("HOST").desc("start: address to listen on (default 127.0.0.1)").get());
        o.addOption(Option.builder().longOpt("port").hasArg().argName("PORT").desc("start: port (default 18888; 0 picks a free one)").get());
        o.addOption(Option.builder().longOpt("max-sandboxes").hasArg().argName("N")
                .desc("start: sandboxes that may run at once (default 32)").get());
        o.addOption(Option.builder().longOpt("pool-size").hasArg().argName("N")
                .desc("start: warm sandboxes kept ready per image and profile (default 4; 0: no pool)").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME").desc("start: isolation backend (default: the best available)").get());
        o.addOption(Option.builder().longOpt("allow-dir").hasArg().argName("DIR")
                .desc("start: a host directory sandboxes may mount as /workspace (create --dir); repeatable").get());
        o.addOption(Option.builder().longOpt("allow-origin").hasArg().argName("ORIGIN")
                .desc("start: a web page origin whose scripts may call the API; repeatable").get());
        o.addOption(Option.builder().longOpt("allow-host").hasArg().argName("NAME")
                .desc("start: a Host name the daemon answers to besides its own; repeatable").get());
        o.addOption(Option.builder().longOpt("no-auth").desc("start: serve without an API key").get());
        o.addOption(Option.builder().longOpt(LogFormat.OPTION).hasArg().argName("text|json")
                .desc("start: the daemon's log lines as text (default) or JSON lines, for log collectors").get());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("SECONDS")
                .desc("stop: seconds to wait before SIGKILL (default 30)").get());
        o.addOption(Option.builder().longOpt("json").desc("status: print JSON").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel daemon start",
                "agentkernel daemon start --port 8080 --max-sandboxes 64",
                "agentkernel daemon status",
                "agentkernel daemon status --json | jq .pool",
                "agentkernel daemon stop --timeout 60");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        String action = action(args);
        HostContext host = HostContext.current();
        DaemonRegistry registry = new DaemonRegistry(new DaemonFiles(host.stateDir().toAbsolutePath()));
        return switch (action) {
            case "start" -> {
                DaemonStartOptions options = DaemonStartOptions.from(args);
                Map<String, String> env = Map.of("AGENTKERNEL_STATE_DIR", host.stateDir().toAbsolutePath().toString(),
                        "AGENTKERNEL_RUNTIME_DIR", host.runtimeDir().toAbsolutePath().toString());
                yield new DaemonStart(registry, DaemonLauncher.commandForThisProcess(options.serveArgs()), env, START_WAIT)
                        .run(out, err);
            }
            case "stop" -> new DaemonStop(registry, stopTimeout(args)).run(out, err);
            default -> new DaemonStatus(registry, DaemonHttp.apiKeyFrom(System.getenv("AGENTKERNEL_API_KEY"))
                    .or(() -> registry.files().readApiKey()),
                    args.hasOption("json")).run(out, err);
        };
    }

    /** The action, once it is known and every option given applies to it. */
    static String action(CommandLine args) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no action given: use 'agentkernel daemon start', 'stop' or 'status'");
        }
        String action = words.getFirst();
        if (!ACTIONS.contains(action)) {
            throw new InvalidRequestException("unknown daemon action '" + action + "': use start, stop or status");
        }
        if (words.size() > 1) {
            throw new InvalidRequestException("unexpected argument '" + words.get(1) + "' after 'daemon " + action + "'");
        }
        for (Option option : args.getOptions()) {
            String owner = OPTION_ACTION.get(option.getLongOpt());
            if (owner != null && !owner.equals(action)) {
                throw new InvalidRequestException("--" + option.getLongOpt() + " applies to 'daemon " + owner
                        + "', not 'daemon " + action + "'");
            }
        }
        return action;
    }

    /** {@code --timeout} of {@code stop}: a positive number of seconds, at most a day. */
    static Duration stopTimeout(CommandLine args) {
        Double seconds = OptionValues.number(args, "timeout", "seconds");
        double value = seconds == null ? DEFAULT_STOP_TIMEOUT : seconds;
        if (!(value > 0) || value > 86_400) {
            throw new InvalidRequestException("--timeout must be a positive number of seconds up to 86400, got " + seconds);
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }
}
