package dev.agentkernel.cli;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.session.SessionSettings;
import dev.agentkernel.core.session.VolumeMapping;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.server.ApiKeyFile;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
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
        return List.of("Serve the HTTP API (run, run/stream, batch/run, sandboxes, files, logs, status, health, execute,",
                "sessions, stats) until interrupted; SIGTERM/SIGINT shut it down gracefully (running requests get 10 s",
                "to finish). Code sessions: see docs/code-sessions.md (limits also from AGENTKERNEL_* variables).",
                "Persistent sandboxes and the audit log live in the state directory (/var/lib/agentkernel or",
                "AGENTKERNEL_STATE_DIR); sandboxes that were running are started again.",
                "Listens on loopback by default. Every route but /health needs 'Authorization: Bearer KEY' or",
                "'X-API-Key: KEY': the key in STATE/api-key (created on the first start, mode 0600; the CLI and the",
                "Java SDK on this machine read it), or AGENTKERNEL_API_KEY (one key, or several separated by commas);",
                "--no-auth serves without a key. Browsers: requests must address the daemon by one of its own names",
                "(Host) and come from no web page, or one allowed with --allow-origin.",
                "GET /metrics answers the daemon's metrics in the Prometheus text format (same key). Logs go to",
                "stderr: one access log line per request; every line of a request and every audit event it causes",
                "carries its request id (X-Request-Id, the client's own if well-formed); --log-format json for",
                "log collectors.");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("host").hasArg().argName("HOST").desc("Address to listen on (default 127.0.0.1)").get());
        o.addOption(Option.builder().longOpt("port").hasArg().argName("PORT").desc("Port (default 18888; 0 picks a free one)").get());
        o.addOption(Option.builder().longOpt("max-sandboxes").hasArg().argName("N")
                .desc("Sandboxes that may run at once (default 32); more get 429").get());
        o.addOption(Option.builder().longOpt("pool-size").hasArg().argName("N")
                .desc("Warm sandboxes kept ready per image and profile (default 4; 0 turns the pool off; "
                        + "AGENTKERNEL_DISABLE_POOLING=1 also turns it off)").get());
        o.addOption(Option.builder().longOpt("allow-dir").hasArg().argName("DIR")
                .desc("A host directory (and everything under it) that sandboxes may mount as /workspace "
                        + "(create --dir); repeatable; AGENTKERNEL_ALLOWED_DIRS (colon-separated) adds more").get());
        o.addOption(Option.builder().longOpt("max-sessions").hasArg().argName("N")
                .desc("Code sessions open at once (default 10; AGENTKERNEL_MAX_SESSIONS)").get());
        o.addOption(Option.builder().longOpt("session-timeout").hasArg().argName("SECONDS")
                .desc("Idle code sessions are removed after this long (default 1800; AGENTKERNEL_SESSION_TIMEOUT)").get());
        o.addOption(Option.builder().longOpt("session-volume").hasArg().argName("HOST:SANDBOX[:ro]")
                .desc("A host directory (under an --allow-dir root) mounted in every code session; repeatable "
                        + "(AGENTKERNEL_SHARED_VOLUME_PATH)").get());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("agentkernel.toml to read the [execution] section from (default: ./agentkernel.toml if present)").get());
        o.addOption(Option.builder().longOpt("workspace").hasArg().argName("DIR")
                .desc("Host directory mounted at /workspace in every task and code session (AGENTKERNEL_WORKSPACE; "
                        + "default for tasks: STATE/workspace, sessions then keep their own)").get());
        o.addOption(Option.builder().longOpt("tools-dir").hasArg().argName("DIR")
                .desc("Host directory of tool libraries, read-only at /tools in tasks (AGENTKERNEL_TOOLS_DIR)").get());
        o.addOption(Option.builder().longOpt(RetentionOptions.AUDIT_DAYS).hasArg().argName("DAYS")
                .desc("Audit events older than this are deleted (default 30)").get());
        o.addOption(Option.builder().longOpt(RetentionOptions.AUDIT_MAX).hasArg().argName("N")
                .desc("Only the newest N audit events are kept (default 100000)").get());
        o.addOption(Option.builder().longOpt(RetentionOptions.TASK_DAYS).hasArg().argName("DAYS")
                .desc("Tasks that ended more than this ago are deleted (default 7)").get());
        // ---- pause and resume (issue 15) ----
        o.addOption(Option.builder().longOpt(PauseOptions.IDLE_PAUSE).hasArg().argName("SECONDS")
                .desc("Pause a sandbox after this long without exec, file or attach requests (0: never, the default;"
                        + " AGENTKERNEL_IDLE_PAUSE)").get());
        o.addOption(Option.builder().longOpt(PauseOptions.PAUSED_ACCESS).hasArg().argName("resume|refuse")
                .desc("An exec, file or attach request on a sandbox paused by its owner resumes it (resume, the default)"
                        + " or gets 409 (refuse; AGENTKERNEL_PAUSED_ACCESS)").get());
        NetworkPolicyOptions.addTo(o); // the default policy of sandboxes whose request has none
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME").desc("Default isolation backend: bwrap, runc, crun, gvisor, podman or docker (default: AGENTKERNEL_BACKEND, else the best available); a request may name another").get());
        o.addOption(Option.builder().longOpt("no-auth")
                .desc("Serve without an API key (any local process, and with --host any host that reaches the port, "
                        + "can run commands)").get());
        o.addOption(Option.builder().longOpt("allow-origin").hasArg().argName("ORIGIN")
                .desc("A web page origin (e.g. http://localhost:3000) whose scripts may call the API; repeatable; "
                        + "AGENTKERNEL_ALLOWED_ORIGINS (comma-separated) adds more; '*' allows any").get());
        o.addOption(Option.builder().longOpt("allow-host").hasArg().argName("NAME")
                .desc("A Host name the daemon answers to besides its own (e.g. a reverse proxy's); repeatable; "
                        + "AGENTKERNEL_ALLOWED_HOSTS adds more; '*' allows any").get());
        o.addOption(Option.builder().longOpt(LogFormat.OPTION).hasArg().argName("text|json")
                .desc("Log lines as text (the default) or one JSON object per line for log collectors "
                        + "(AGENTKERNEL_LOG_FORMAT)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel serve",
                "AGENTKERNEL_API_KEY=secret agentkernel serve --port 8080",
                "agentkernel serve --allow-origin http://localhost:3000",
                "curl -s -X POST localhost:18888/run -H \"Authorization: Bearer $(cat STATE/api-key)\" -H 'Content-Type: application/json' -d '{\"command\": [\"python3\", \"-c\", \"print(1+1)\"]}'");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws InterruptedException {
        String host = args.getOptionValue("host", "127.0.0.1");
        Long port = OptionValues.wholeNumber(args, "port", "port");
        Long max = OptionValues.wholeNumber(args, "max-sandboxes", "sandboxes");
        if (max != null && (max < 1 || max > 4096)) {
            throw new InvalidRequestException("--max-sandboxes must be between 1 and 4096, got " + max);
        }
        HostContext hostContext = HostContext.current();
        List<String> keys;
        String keyNote;
        if (args.hasOption("no-auth")) {
            keys = List.of();
            keyNote = ", no API key (--no-auth)";
        } else if (!ServerConfig.keysFromEnvironment(System.getenv("AGENTKERNEL_API_KEY")).isEmpty()) {
            keys = ServerConfig.keysFromEnvironment(System.getenv("AGENTKERNEL_API_KEY"));
            keyNote = ", API key from AGENTKERNEL_API_KEY";
        } else {
            keys = List.of(ApiKeyFile.loadOrCreate(hostContext.stateDir()));
            keyNote = ", API key in " + ApiKeyFile.path(hostContext.stateDir());
        }
        ServerConfig config = new ServerConfig(host, port == null ? ServerConfig.DEFAULT_PORT : Math.toIntExact(port),
                keys, 16L * 1024 * 1024, listed(args, "allow-host", "AGENTKERNEL_ALLOWED_HOSTS"),
                listed(args, "allow-origin", "AGENTKERNEL_ALLOWED_ORIGINS"));
        Long poolSize = OptionValues.wholeNumber(args, "pool-size", "sandboxes");
        DaemonConfig base = DaemonConfig.defaults(config)
                .withBackend(Optional.ofNullable(args.getOptionValue("backend"))
                        .or(() -> Optional.ofNullable(System.getenv("AGENTKERNEL_BACKEND")).filter(b -> !b.isBlank())))
                .withMaxSandboxes(max == null ? 32 : max.intValue())
                .withPoolSize(poolSize == null ? poolFromEnvironment() : Math.toIntExact(Math.min(poolSize, 100_000)))
                .withAllowedDirs(allowedDirs(args));
        LogLevel.apply(System.getenv("AGENTKERNEL_LOG_LEVEL"));
        LogFormat.parse(args.getOptionValue(LogFormat.OPTION, System.getenv("AGENTKERNEL_LOG_FORMAT"))).apply();
        DaemonConfig daemonConfig = base.withSessions(sessions(args, base.sessions()))
                .withTasks(ExecutionOptions.tasks(args, System.getenv(), java.nio.file.Path.of("").toAbsolutePath()))
                .withRetention(RetentionOptions.retention(args, System.getenv(), java.nio.file.Path.of("").toAbsolutePath()))
                .withPausing(PauseOptions.pausing(args, System.getenv()))
                .withEgress(ExecutionOptions.config(args, java.nio.file.Path.of("").toAbsolutePath()).network()
                        .merge(NetworkPolicyOptions.policy(args)));
        CountDownLatch stopped = new CountDownLatch(1);
        Daemon daemon = Daemon.start(daemonConfig, hostContext);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("agentkernel: shutting down (running requests get "
                    + daemonConfig.shutdownGrace().toSeconds() + " s to finish)");
            err.flush();
            daemon.close();
            stopped.countDown();
        }, "ak-serve-shutdown"));
        err.printf("agentkernel: serving on http://%s:%d (backend %s%s, warm pool %s, up to %d code sessions)%n", host,
                daemon.port(), daemon.backendName(), keyNote,
                daemonConfig.poolSize() == 0 ? "off" : daemonConfig.poolSize() + " per image and profile",
                daemonConfig.sessions().maxSessions());
        if (!daemon.restarted().isEmpty()) {
            err.println("agentkernel: started again the sandboxes that were running: " + String.join(", ", daemon.restarted()));
        }
        if (keys.isEmpty()) {
            err.println("agentkernel: warning: serving without an API key (--no-auth): every process on this machine"
                    + (isLoopback(host) ? "" : " and every host that reaches " + host + ":" + daemon.port())
                    + " can run commands through it");
        }
        CgroupTuning.hint().ifPresent(hint -> err.println("agentkernel: " + hint));
        err.flush();
        stopped.await();
        return 0;
    }

    private static SessionSettings sessions(CommandLine args, SessionSettings defaults) {
        SessionSettings s = SessionSettings.fromEnvironment(System.getenv(), defaults);
        Long max = OptionValues.wholeNumber(args, "max-sessions", "sessions");
        if (max != null) {
            if (max < 1 || max > 100_000) {
                throw new InvalidRequestException("--max-sessions must be between 1 and 100000, got " + max);
            }
            s = s.withMaxSessions(max.intValue());
        }
        Long timeout = OptionValues.wholeNumber(args, "session-timeout", "seconds");
        if (timeout != null) {
            if (timeout < 1) {
                throw new InvalidRequestException("--session-timeout must be at least 1 second, got " + timeout);
            }
            s = s.withSessionTimeout(java.time.Duration.ofSeconds(timeout));
        }
        String[] volumes = args.getOptionValues("session-volume");
        if (volumes != null) {
            List<VolumeMapping> all = new java.util.ArrayList<>(s.volumes());
            for (String v : volumes) {
                all.add(VolumeMapping.parse(v));
            }
            s = s.withVolumes(all);
        }
        return s;
    }

    private static List<java.nio.file.Path> allowedDirs(CommandLine args) {
        List<java.nio.file.Path> dirs = new java.util.ArrayList<>(OptionValues.directories(args, "allow-dir"));
        dirs.addAll(dev.agentkernel.core.policy.HostMountPolicy.parseRoots(System.getenv("AGENTKERNEL_ALLOWED_DIRS")));
        return dirs;
    }

    /** The values of a repeatable option plus those of a comma-separated environment variable. */
    private static List<String> listed(CommandLine args, String option, String variable) {
        List<String> all = new java.util.ArrayList<>();
        String[] values = args.getOptionValues(option);
        if (values != null) {
            for (String v : values) {
                all.addAll(ServerConfig.splitList(v));
            }
        }
        all.addAll(ServerConfig.splitList(System.getenv(variable)));
        return all;
    }

    private static int poolFromEnvironment() {
        String disabled = System.getenv("AGENTKERNEL_DISABLE_POOLING");
        boolean off = disabled != null && !disabled.isBlank() && !disabled.equals("0") && !disabled.equalsIgnoreCase("false");
        return off ? 0 : DaemonConfig.DEFAULT_POOL_SIZE;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
