package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.client.ClientBuilder;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;

/**
 * {@code agentkernel mcp install AGENT}: puts AgentKernel's MCP server into a coding agent's
 * configuration ({@link CodingAgent}, {@link McpConfigFormat}), or prints it ({@code --print}).
 * The file is merged, not replaced: the agent's other settings stay; it is copied to
 * {@code FILE.bak} first; the same entry again changes nothing; a different {@code agentkernel}
 * entry is replaced only with {@code --force}.
 */
final class McpInstall {

    /** Set by the {@code agentkernel} launcher script: its own path, the command agents should start. */
    static final String LAUNCHER_VARIABLE = "AGENTKERNEL_LAUNCHER";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> SHARED = PosixFilePermissions.fromString("rw-r--r--");

    /**
     * What to install.
     *
     * @param agent   the coding agent
     * @param http    the daemon's {@code /mcp} over HTTP, with its key; otherwise {@code agentkernel mcp} on stdio
     * @param project the project directory (its own file), or empty for the user's file
     * @param print   print the configuration instead of writing it
     * @param force   replace a different {@code agentkernel} entry
     * @param url     {@code --url}, or null
     */
    record Request(CodingAgent agent, boolean http, Optional<Path> project, boolean print, boolean force, String url) {
    }

    /** What happened to the file. */
    enum Outcome {
        /** Written (created or merged). */
        WRITTEN,
        /** It had this entry already: untouched. */
        UNCHANGED
    }

    private McpInstall() {
    }

    /** Runs the request for this process's environment and state directory. */
    static int run(Request request, Map<String, String> env, Path stateDir, PrintWriter out, PrintWriter err)
            throws IOException {
        McpServerEntry entry = entry(request, env, stateDir);
        McpConfigFormat format = request.agent().format();
        Path file = request.agent().configFile(env, request.project());
        if (request.print()) {
            out.print(format.merged("", entry, file));
            out.flush();
            err.println("agentkernel: the " + request.agent().title() + " configuration of the '" + McpServerEntry.NAME
                    + "' MCP server; it goes into " + file);
            return 0;
        }
        Outcome outcome = install(file, format, entry, request.force());
        String what = switch (entry) {
            case McpServerEntry.Stdio s -> "stdio: " + s.command() + " " + String.join(" ", s.args());
            case McpServerEntry.Http h -> "http: " + h.url() + (h.headers().isEmpty() ? "" : " with the API key");
        };
        if (outcome == Outcome.UNCHANGED) {
            out.println("agentkernel: " + file + " already has the '" + McpServerEntry.NAME + "' MCP server (" + what
                    + "); nothing changed");
        } else {
            out.println("agentkernel: " + request.agent().title() + " will use the '" + McpServerEntry.NAME
                    + "' MCP server (" + what + "): written to " + file
                    + (Files.exists(backup(file)) ? " (the previous file is " + backup(file) + ")" : ""));
            if (entry.carriesKey() && request.project().isPresent()) {
                err.println("agentkernel: note: " + file + " holds the daemon's API key: keep it out of version control");
            }
        }
        return 0;
    }

    /** The entry for this request: the daemon found as every client command finds it. */
    static McpServerEntry entry(Request request, Map<String, String> env, Path stateDir) {
        if (request.http()) {
            DaemonEndpoint daemon = DaemonEndpoint.resolve(request.url(), env, stateDir);
            SequencedMap<String, String> headers = daemon.apiKey().map(k -> McpServerEntry.ordered("X-API-Key", k))
                    .orElseGet(McpServerEntry::ordered);
            return new McpServerEntry.Http(daemon.url() + "/mcp", headers);
        }
        List<String> args = new ArrayList<>(List.of("mcp"));
        String fromEnv = env.get(ClientBuilder.BASE_URL_VARIABLE);
        if (request.url() != null) {
            args.addAll(List.of("--url", DaemonEndpoint.normalize(request.url(), "--url")));
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            // the agent may start it without this variable: name the daemon explicitly
            args.addAll(List.of("--url", DaemonEndpoint.normalize(fromEnv, ClientBuilder.BASE_URL_VARIABLE)));
        }
        SequencedMap<String, String> vars = McpServerEntry.ordered();
        String state = env.get("AGENTKERNEL_STATE_DIR");
        if (state != null && !state.isBlank()) {
            // a daemon of another state directory than the default: the server must find its address and key there
            vars.put("AGENTKERNEL_STATE_DIR", Path.of(state).toAbsolutePath().toString());
        }
        return new McpServerEntry.Stdio(command(env).toString(), args, vars);
    }

    /** The agentkernel program: the launcher that runs this process, else {@code agentkernel} on {@code PATH}. */
    static Path command(Map<String, String> env) {
        String launcher = env.get(LAUNCHER_VARIABLE);
        if (launcher != null && !launcher.isBlank() && Files.isExecutable(Path.of(launcher))) {
            return Path.of(launcher).toAbsolutePath();
        }
        return CodingAgent.onPath("agentkernel", env.get("PATH")).orElseThrow(() -> new InvalidRequestException(
                "cannot tell where the agentkernel command is: run this through the 'agentkernel' launcher or put it "
                        + "on PATH (or use --http: the daemon's /mcp needs no command)"));
    }

    /** Writes the entry into {@code file} (merged, backed up, atomically); see the class comment. */
    static Outcome install(Path file, McpConfigFormat format, McpServerEntry entry, boolean force) throws IOException {
        String text = read(file);
        JsonNode wanted = format.tree(entry);
        Optional<JsonNode> current = format.current(text, file);
        if (current.isPresent() && current.get().equals(wanted)) {
            return Outcome.UNCHANGED;
        }
        if (current.isPresent() && !force) {
            // not the entry itself: it may hold a key
            throw new ConflictException(file + " already has a different '" + McpServerEntry.NAME + "' MCP server ("
                    + format.transportOf(current.get()) + "); --force replaces it");
        }
        String merged = format.merged(text, entry, file);
        // read back: the entry is ours and nothing else changed, or nothing is written
        boolean kept;
        try {
            kept = format.current(merged, file).map(wanted::equals).orElse(false)
                    && (text.isBlank() || format.others(text, file).equals(format.others(merged, file)));
        } catch (InvalidRequestException e) {
            kept = false; // e.g. TOML: the table defined twice
        }
        if (!kept) {
            throw McpConfigFormat.unreadable(file, "the '" + McpServerEntry.NAME + "' entry is written in a form "
                    + "this command cannot replace without changing other settings");
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> permissions = entry.carriesKey() ? PRIVATE : SHARED;
        if (Files.exists(file)) {
            Files.copy(file, backup(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            permissions = new java.util.HashSet<>(Files.getPosixFilePermissions(file));
            if (entry.carriesKey()) {
                permissions.removeAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                        PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
            }
        }
        Path target = realTarget(file);
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PRIVATE));
        try {
            Files.writeString(tmp, merged, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, permissions);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return Outcome.WRITTEN;
    }

    /** A symbolic link's target (dotfiles kept in a repository are often linked): that file is replaced, the link kept. */
    private static Path realTarget(Path file) throws IOException {
        return Files.exists(file) ? file.toRealPath() : file;
    }

    static Path backup(Path file) {
        return file.resolveSibling(file.getFileName() + ".bak");
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (java.nio.charset.MalformedInputException e) {
            throw McpConfigFormat.unreadable(file, "not UTF-8 text");
        }
    }
}
