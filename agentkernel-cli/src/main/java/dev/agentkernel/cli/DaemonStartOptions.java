package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;

/**
 * The options of {@code daemon start}, checked before anything starts, and the {@code serve}
 * arguments they become.
 *
 * @param host         address to listen on
 * @param port         port to listen on; 0 picks a free one
 * @param maxSandboxes sandboxes that may run at once; {@code null} for serve's default
 * @param poolSize     warm sandboxes per image and profile; {@code null} for serve's default
 * @param backend      isolation backend; {@code null} for the best available
 * @param allowDirs    host directories sandboxes may mount ({@code create --dir}), absolute
 * @param allowOrigins web page origins whose scripts may call the API
 * @param allowHosts   Host names the daemon answers to besides its own
 * @param noAuth       serve without an API key
 * @param logFormat    {@code text} or {@code json}; {@code null} for serve's default
 */
record DaemonStartOptions(String host, int port, Integer maxSandboxes, Integer poolSize, String backend,
                          List<String> allowDirs, List<String> allowOrigins, List<String> allowHosts, boolean noAuth,
                          String logFormat) {

    /** Copies. */
    DaemonStartOptions {
        allowDirs = List.copyOf(allowDirs);
        allowOrigins = List.copyOf(allowOrigins);
        allowHosts = List.copyOf(allowHosts);
    }

    /** serve's default port (kept here so the daemon commands never load the server's classes). */
    static final int DEFAULT_PORT = 18888;
    static final String DEFAULT_HOST = "127.0.0.1";

    /** Reads and checks the options; bad values throw {@link InvalidRequestException} naming the option. */
    static DaemonStartOptions from(CommandLine args) {
        String host = args.getOptionValue("host", DEFAULT_HOST).strip();
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidRequestException("--host expects an address such as 127.0.0.1 or 0.0.0.0, got '"
                    + args.getOptionValue("host") + "'");
        }
        Long port = OptionValues.wholeNumber(args, "port", "port");
        if (port != null && (port < 0 || port > 65_535)) {
            throw new InvalidRequestException("--port must be between 0 and 65535, got " + port);
        }
        Long max = OptionValues.wholeNumber(args, "max-sandboxes", "sandboxes");
        if (max != null && (max < 1 || max > 4096)) {
            throw new InvalidRequestException("--max-sandboxes must be between 1 and 4096, got " + max);
        }
        Long pool = OptionValues.wholeNumber(args, "pool-size", "sandboxes");
        if (pool != null && (pool < 0 || pool > Integer.MAX_VALUE)) {
            throw new InvalidRequestException("--pool-size must be 0 (no pool) or more, got " + pool);
        }
        String backend = args.getOptionValue("backend");
        if (backend != null && backend.isBlank()) {
            throw new InvalidRequestException("--backend expects a backend name, e.g. bwrap (see 'agentkernel doctor')");
        }
        String logFormat = args.hasOption(LogFormat.OPTION)
                ? LogFormat.parse(args.getOptionValue(LogFormat.OPTION)).id() : null;
        List<String> allow = OptionValues.directories(args, "allow-dir").stream().map(Object::toString).toList();
        return new DaemonStartOptions(host, port == null ? DEFAULT_PORT : port.intValue(),
                max == null ? null : max.intValue(), pool == null ? null : pool.intValue(),
                backend == null ? null : backend.strip(), allow, values(args, "allow-origin"), values(args, "allow-host"),
                args.hasOption("no-auth"), logFormat);
    }

    private static List<String> values(CommandLine args, String option) {
        String[] values = args.getOptionValues(option);
        return values == null ? List.of() : List.of(values);
    }

    /** The arguments of the background {@code serve}, starting with {@code serve}. */
    List<String> serveArgs() {
        List<String> args = new ArrayList<>(List.of("serve", "--host", host, "--port", Integer.toString(port)));
        if (maxSandboxes != null) {
            args.add("--max-sandboxes");
            args.add(maxSandboxes.toString());
        }
        if (poolSize != null) {
            args.add("--pool-size");
            args.add(poolSize.toString());
        }
        if (backend != null) {
            args.add("--backend");
            args.add(backend);
        }
        for (String dir : allowDirs) {
            args.add("--allow-dir");
            args.add(dir);
        }
        for (String origin : allowOrigins) {
            args.add("--allow-origin");
            args.add(origin);
        }
        for (String name : allowHosts) {
            args.add("--allow-host");
            args.add(name);
        }
        if (noAuth) {
            args.add("--no-auth");
        }
        if (logFormat != null) {
            args.add("--" + LogFormat.OPTION);
            args.add(logFormat);
        }
        return args;
    }
}
