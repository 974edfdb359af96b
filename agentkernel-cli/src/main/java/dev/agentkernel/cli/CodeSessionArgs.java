package dev.agentkernel.cli;

import dev.agentkernel.client.CodeOptions;
import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The options {@code code} and {@code repl} share: which session (an existing one with
 * {@code -s}, else a new one of {@code -t}, {@code --flavor} and {@code -v}), the timeout of each
 * execution, and whether a new session is kept. Checked before any request.
 *
 * @param sessionId the existing session ({@code -s}), or empty for a new one
 * @param options   the SDK's options: the session id, or the new session's template, flavor and volumes; the timeout
 * @param keep      whether a new session stays after the command ({@code --keep}; a session given with
 *                  {@code -s} always stays)
 */
record CodeSessionArgs(Optional<String> sessionId, CodeOptions options, boolean keep) {

    /** The longest timeout the daemon takes for one execution. */
    static final long MAX_TIMEOUT_SECONDS = 3600;

    /** Adds the shared options to {@code o}. */
    static Options addTo(Options o) {
        o.addOption(Option.builder("t").longOpt("template").hasArg().argName("TEMPLATE")
                .desc("Interpreter of a new session: python (default), node or bash").get());
        o.addOption(Option.builder("s").longOpt("session").hasArg().argName("ID")
                .desc("Run in this existing session (kept afterwards) instead of a new one").get());
        o.addOption(Option.builder().longOpt("flavor").hasArg().argName("FLAVOR")
                .desc("Size of a new session: small (1 CPU, 1 GB; default), medium, large").get());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("SECONDS")
                .desc("Interrupt each execution after this many seconds (default 30, at most 3600)").get());
        o.addOption(Option.builder("v").longOpt("volume").hasArg().argName("HOST:DIR[:ro]")
                .desc("Mount a host directory in a new session, read-only with :ro (repeatable)").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME")
                .desc("Isolation backend of a new session: bwrap, runc, crun or gvisor (default: the daemon's)").get());
        o.addOption(Option.builder().longOpt("keep")
                .desc("Keep a new session afterwards and print its id to stderr").get());
        return o;
    }

    /** The parsed options. */
    static CodeSessionArgs parse(CommandLine args) {
        CodeOptions options = CodeOptions.defaults();
        Optional<String> session = Optional.ofNullable(args.getOptionValue("session")).map(String::strip);
        if (session.isPresent()) {
            if (session.get().isEmpty()) {
                throw new InvalidRequestException("--session needs a session id, e.g. ses-3f9c2a61d0b84e7f "
                        + "(see 'agentkernel sessions')");
            }
            if (args.hasOption("volume")) {
                throw new InvalidRequestException("--volume mounts a directory in a new session only; drop it, "
                        + "or drop --session to start a new session");
            }
            if (args.hasOption("backend")) {
                throw new InvalidRequestException("--backend chooses the backend of a new session only; drop it, "
                        + "or drop --session to start a new session");
            }
            options = options.withSessionId(session.get());
        }
        String template = args.getOptionValue("template");
        if (template != null) {
            if (template.isBlank()) {
                throw new InvalidRequestException("--template needs a value: python, node or bash");
            }
            options = options.withTemplate(template.strip());
        }
        String flavor = args.getOptionValue("flavor");
        if (flavor != null) {
            if (flavor.isBlank()) {
                throw new InvalidRequestException("--flavor needs a value: small, medium or large");
            }
            options = options.withFlavor(flavor.strip());
        }
        Double seconds = OptionValues.number(args, "timeout", "seconds");
        if (seconds != null) {
            if (!(seconds > 0) || seconds > MAX_TIMEOUT_SECONDS) {
                throw new InvalidRequestException("--timeout must be a positive number of seconds up to "
                        + MAX_TIMEOUT_SECONDS + ", got " + args.getOptionValue("timeout"));
            }
            options = options.withTimeout(Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
        }
        String backend = args.getOptionValue("backend");
        if (backend != null) {
            options = options.withBackend(dev.agentkernel.model.SandboxRequest.requireBackendName(backend.strip()));
        }
        String[] volumes = args.getOptionValues("volume");
        if (volumes != null) {
            for (String v : volumes) {
                options = options.withVolume(volume(v));
            }
        }
        return new CodeSessionArgs(session, options, args.hasOption("keep"));
    }

    /**
     * {@code host:path[:ro]} with the host directory made absolute (the daemon resolves nothing
     * against this shell's directory).
     */
    static String volume(String value) {
        String[] parts = value.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || parts.length == 3 && !parts[2].equals("ro")) {
            throw new InvalidRequestException("--volume must be written HOST:DIR or HOST:DIR:ro, e.g. "
                    + "./data:/data:ro; got '" + value + "'");
        }
        if (!parts[1].startsWith("/")) {
            throw new InvalidRequestException("--volume " + value + ": the path in the session must be absolute, "
                    + "e.g. /data");
        }
        Path host = Path.of(parts[0]).toAbsolutePath().normalize();
        if (!Files.isDirectory(host)) {
            throw new InvalidRequestException("--volume " + value + ": " + host
                    + (Files.exists(host) ? " is not a directory" : " does not exist"));
        }
        return host + ":" + parts[1] + (parts.length == 3 ? ":ro" : "");
    }

    /** Whether this command creates the session (no {@code -s}). */
    boolean createsSession() {
        return sessionId.isEmpty();
    }
}
