package dev.agentkernel.cli;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.server.ApiServer;
import dev.agentkernel.server.ServerConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel serve}: the HTTP API in the foreground until SIGINT/SIGTERM. */
final class ServeCommand implements Subcommand {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String usage() {
        return "[--host HOST] [--port PORT]";
    }

    @Override
    public String summary() {
        return "Serve the HTTP API in the foreground";
    }

    @Override
    public List<String> description() {
        return List.of("Serve the HTTP API (POST /run, /run/stream, /batch/run, GET /health) until interrupted.",
                "Listens on loopback by default. AGENTKERNEL_API_KEY (one key, or several separated by commas)",
                "requires 'Authorization: Bearer KEY' or 'X-API-Key: KEY' on every route but /health.");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("host").hasArg().argName("HOST").desc("Address to listen on (default 127.0.0.1)").get());
        o.addOption(Option.builder().longOpt("port").hasArg().argName("PORT").desc("Port (default 18888; 0 picks a free one)").get());
        o.addOption(Option.builder().longOpt("max-sandboxes").hasArg().argName("N")
                .desc("Sandboxes that may run at once (default 32); more get 429").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME").desc("Isolation backend (default: the best available)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel serve",
                "AGENTKERNEL_API_KEY=secret agentkernel serve --port 8080",
                "curl -s -X POST localhost:18888/run -d '{\"command\": [\"python3\", \"-c\", \"print(1+1)\"]}'");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws InterruptedException {
        String host = args.getOptionValue("host", "127.0.0.1");
        Long port = OptionValues.wholeNumber(args, "port", "port");
        Long max = OptionValues.wholeNumber(args, "max-sandboxes", "sandboxes");
        if (max != null && (max < 1 || max > 4096)) {
            throw new InvalidRequestException("--max-sandboxes must be between 1 and 4096, got " + max);
        }
        List<String> keys = ServerConfig.keysFromEnvironment(System.getenv("AGENTKERNEL_API_KEY"));
        ServerConfig config = new ServerConfig(host, port == null ? ServerConfig.DEFAULT_PORT : Math.toIntExact(port),
                keys, 16L * 1024 * 1024);
        HostContext context = HostContext.current();
        try (IsolationBackend backend = BackendSelector.discover().open(Optional.ofNullable(args.getOptionValue("backend")), context)) {
            RunService runs = new RunService(backend, new PolicyResolver(context), max == null ? 32 : max.intValue(),
                    Duration.ofMinutes(10));
            CountDownLatch stop = new CountDownLatch(1);
            try (ApiServer server = ApiServer.start(config, runs)) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    server.close();
                    stop.countDown();
                }, "ak-serve-shutdown"));
                err.printf("agentkernel: serving on http://%s:%d (backend %s%s)%n", host, server.port(), backend.name(),
                        keys.isEmpty() ? ", no API key" : ", API key required");
                if (keys.isEmpty() && !isLoopback(host)) {
                    err.println("agentkernel: warning: listening on a non-loopback address without AGENTKERNEL_API_KEY");
                }
                err.flush();
                stop.await();
            }
        }
        return 0;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
