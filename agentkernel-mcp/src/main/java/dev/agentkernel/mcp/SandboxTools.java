package dev.agentkernel.mcp;

import dev.agentkernel.api.CommandResult;
import dev.agentkernel.api.FileRead;
import dev.agentkernel.api.FileWritten;
import dev.agentkernel.api.RunResult;
import dev.agentkernel.api.SandboxList;
import dev.agentkernel.api.SandboxRemoved;
import dev.agentkernel.api.SandboxView;
import dev.agentkernel.core.run.CollectedOutput;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.agent.FileStat;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.CreateSandbox;
import dev.agentkernel.core.volume.VolumeMount;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxPaths;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One-off runs and persistent sandboxes: {@code sandbox_run}, {@code sandbox_create},
 * {@code sandbox_exec}, {@code sandbox_list}, {@code sandbox_remove}, {@code sandbox_start},
 * {@code sandbox_stop}, {@code sandbox_file_read}, {@code sandbox_file_write}. A command that
 * exits non-zero (or is killed) is an error result that still carries its output. Package-private.
 */
final class SandboxTools {

    static final String NAME_EXAMPLE = "{\"name\": \"my-sandbox\"}";
    private static final List<String> PROFILES = List.of("permissive", "moderate", "restrictive");
    private static final List<String> PULLS = List.of("missing", "always", "never");
    private static final String PULL = "When to ask the image's registry: missing (only when the image is not stored; "
            + "default), always (for the tag's current image) or never (the stored image, else an error)";

    private static final String BACKEND = "The isolation backend: bwrap (Linux namespaces), runc or crun (OCI "
            + "runtimes) or gvisor (a user-space kernel) (default: the daemon's; agentkernel doctor lists a host's)";

    /** The {@code backend} argument, checked as the wire's {@code backend} is. */
    private static Optional<String> backend(Arguments args) {
        return args.optionalString("backend").map(SandboxRequest::requireBackendName);
    }

    /** The {@code pull} argument, checked. */
    private static ImagePull pull(Arguments args) {
        return args.optionalString("pull").map(ImagePull::parse).orElse(ImagePull.MISSING);
    }

    private final RunService runs;
    private final SandboxManager sandboxes;
    private final SnapshotService snapshots;
    private final long maxFileBytes;

    SandboxTools(RunService runs, SandboxManager sandboxes, SnapshotService snapshots, long maxFileBytes) {
        this.runs = runs;
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.maxFileBytes = maxFileBytes;
    }

    private static final String SUDO = "Run as root of the sandbox (root of its own user namespace, never the "
            + "host's) instead of its unprivileged user, uid 1000 (default: false)";

    List<ToolDefinition> definitions() {
        return List.of(run(), create(), exec(), list(), remove(), start(), stop(), readFile(), writeFile());
    }

    private ToolDefinition run() {
        return new ToolDefinition("sandbox_run", "Run a command in a fresh sandbox",
                "Run one command in a fresh, isolated sandbox that is removed afterwards, and return its output "
                        + "and exit code. command is an array (argv) or one string run by /bin/sh -c. A command "
                        + "that exits non-zero is an error result with its output.",
                Schema.object()
                        .raw("command", Map.of("type", List.of("array", "string"), "items", Map.of("type", "string"),
                                "description", "The command: argv, e.g. [\"python3\", \"-c\", \"print(42)\"], or a "
                                        + "shell command line, e.g. \"ls -la | wc -l\""), true)
                        .string("image", "The runtime image, e.g. python:3.12 (default: detected from the command)", false)
                        .choice("pull", PULL, PULLS, "missing")
                        .choice("profile", "The security profile (default: moderate)", PROFILES, "moderate")
                        .number("timeout", "Time limit in seconds (default: the daemon's)", false)
                        .strings("env", "Environment variables as KEY=VALUE", false)
                        .bool("sudo", SUDO, false)
                        .string("backend", BACKEND, false)
                        .strings("allow_domains", ALLOW_DOMAINS, false)
                        .strings("deny_domains", DENY_DOMAINS, false)
                        .strings("allow_addresses", ALLOW_ADDRESSES, false)
                        .strings("deny_addresses", DENY_ADDRESSES, false)
                        .strings("add_hosts", ADD_HOSTS, false),
                RunResult.class,
                Effect.ADDS,
                args -> {
                    List<String> command = args.command("command");
                    Optional<String> image = args.optionalString("image");
                    Optional<Profile> profile = args.optionalString("profile").map(Profile::parse);
                    Optional<Duration> timeout = args.seconds("timeout", CommandSpec.MAX_TIMEOUT);
                    RunRequest request = new RunRequest(command, image, profile, timeout, env(args), true,
                            args.flag("sudo", false), pull(args), backend(args), egress(args));
                    try (CollectedOutput output = CollectedOutput.inMemory()) {
                        RunOutcome outcome = runs.run(request, output, () -> Thread.currentThread().isInterrupted());
                        return commandResult(outcome.termination(), output.result(outcome));
                    }
                });
    }

    private ToolDefinition create() {
        return new ToolDefinition("sandbox_create", "Create a persistent sandbox",
                "Create and start a persistent, named sandbox that keeps its files in /workspace between commands "
                        + "(run them with sandbox_exec) until it is removed. With snapshot, it starts with a "
                        + "snapshot's files (sandbox_snapshot) on the snapshot's image, with the settings of the "
                        + "sandbox it was taken from unless other arguments change them.",
                Schema.object()
                        .string("name", "A new sandbox's name: letters, digits, '.', '_' and '-', e.g. my-sandbox", true)
                        .string("image", "The runtime image, e.g. python:3.12", false)
                        .choice("pull", PULL, PULLS, "missing")
                        .choice("profile", "The security profile (default: moderate)", PROFILES, "moderate")
                        .integer("vcpus", "Whole CPUs, e.g. 1 or 2", false)
                        .integer("memory_mb", "Memory limit in MiB, e.g. 512", false)
                        .integer("disk_mb", "Size of its disk (/workspace, /tmp and /var/tmp together) in MiB, e.g."
                                + " 1024 (default: the profile's)", false)
                        .bool("network", "Whether it has network access (default: the profile's)", false)
                        .string("backend", BACKEND, false)
                        .strings("volumes", "Named volumes mounted at every start, each NAME:/path or NAME:/path:ro"
                                + " (the volume must exist: POST /volumes or 'agentkernel volume create')", false)
                        .string("snapshot", "A snapshot to make it from (snapshot_list names them); not with image",
                                false)
                        .string("source_url", "A Git repository (https://, http:// or git://) to clone into its empty "
                                + "/workspace, inside the sandbox over its network, before it is answered", false)
                        .string("source_ref", "The branch, tag or commit of source_url to check out (default: its "
                                + "default branch)", false)
                        .strings("allow_domains", ALLOW_DOMAINS, false)
                        .strings("deny_domains", DENY_DOMAINS, false)
                        .strings("allow_addresses", ALLOW_ADDRESSES, false)
                        .strings("deny_addresses", DENY_ADDRESSES, false)
                        .strings("add_hosts", ADD_HOSTS, false),
                SandboxView.class,
                Effect.ADDS,
                args -> {
                    String name = SandboxNames.requireValid(args.requiredString("name", NAME_EXAMPLE));
                    Optional<String> snapshot = args.optionalString("snapshot")
                            .map(dev.agentkernel.core.snapshot.SnapshotNames::requireValid);
                    Optional<String> image = args.optionalString("image");
                    if (snapshot.isPresent() && image.isPresent()) {
                        throw new InvalidRequestException("give image or snapshot, not both: a sandbox made from a "
                                + "snapshot runs on the snapshot's image");
                    }
                    SandboxRequest options = snapshot.isPresent() ? snapshots.requestFor(snapshot.get())
                            : SandboxRequest.defaults().withPull(pull(args));
                    if (image.isPresent()) {
                        options = options.withImage(image.get());
                    }
                    Optional<String> profile = args.optionalString("profile");
                    if (profile.isPresent()) {
                        options = options.withProfile(Profile.parse(profile.get()));
                    }
                    Optional<Long> vcpus = args.positiveWholeNumber("vcpus", "1 or 2");
                    if (vcpus.isPresent()) {
                        options = options.withVcpus(vcpus.get());
                    }
                    Optional<Long> memory = args.positiveWholeNumber("memory_mb", "512");
                    if (memory.isPresent()) {
                        options = options.withMemoryMb(memory.get());
                    }
                    Optional<Long> disk = args.positiveWholeNumber("disk_mb", "1024");
                    if (disk.isPresent()) {
                        options = options.withDiskMb(disk.get());
                    }
                    if (args.has("network")) {
                        options = options.withNetwork(args.flag("network", false));
                    }
                    Optional<String> backend = backend(args);
                    if (backend.isPresent()) {
                        options = options.withBackend(backend.get());
                    }
                    dev.agentkernel.model.NetworkPolicy own = egress(args);
                    if (snapshot.isEmpty() || !own.equals(dev.agentkernel.model.NetworkPolicy.NONE)) {
                        options = options.withEgress(own); // else the snapshot's own
                    }
                    List<VolumeMount> volumes = VolumeMount.parseAll(args.strings("volumes", "[\"data:/data\"]"));
                    Optional<String> sourceRef = args.optionalString("source_ref");
                    Optional<dev.agentkernel.core.sandbox.GitSource> source = args.optionalString("source_url")
                            .map(url -> new dev.agentkernel.core.sandbox.GitSource(url, sourceRef));
                    if (source.isEmpty() && sourceRef.isPresent()) {
                        throw new InvalidRequestException("source_ref needs a source_url to check it out from");
                    }
                    return Results.ok(toJson(sandboxes.create(new CreateSandbox(name, options, Optional.empty(), volumes,
                            List.of(), List.of(), List.of(), source))));
                });
    }

    private ToolDefinition exec() {
        return new ToolDefinition("sandbox_exec", "Run a command in a sandbox",
                "Run a command in a running persistent sandbox and return its output and exit code. command is an "
                        + "array (argv) or one string run by /bin/sh -c. A command that exits non-zero is an error "
                        + "result with its output.",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .raw("command", Map.of("type", List.of("array", "string"), "items", Map.of("type", "string"),
                                "description", "The command: argv, e.g. [\"ls\", \"-la\"], or a shell command line, "
                                        + "e.g. \"cd /workspace && make\""), true)
                        .strings("env", "Environment variables as KEY=VALUE", false)
                        .string("workdir", "The working directory, an absolute path (default: /workspace)", false)
                        .number("timeout", "Time limit in seconds (default: the daemon's)", false)
                        .bool("sudo", SUDO, false),
                CommandResult.class,
                Effect.ADDS,
                args -> {
                    String name = name(args);
                    List<String> command = args.command("command");
                    Optional<String> workdir = args.optionalString("workdir");
                    workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
                    Optional<Duration> timeout = args.seconds("timeout", CommandSpec.MAX_TIMEOUT);
                    CommandSpec spec = new CommandSpec(command, env(args), workdir, timeout, args.flag("sudo", false));
                    try (CollectedOutput output = CollectedOutput.inMemory()) {
                        Termination end = sandboxes.exec(name, spec, output, () -> Thread.currentThread().isInterrupted());
                        return commandResult(end, output.result(end));
                    }
                });
    }

    private ToolDefinition list() {
        return new ToolDefinition("sandbox_list", "List persistent sandboxes",
                "List the persistent sandboxes with their status, image, limits and profile.",
                Schema.object(),
                SandboxList.class,
                Effect.READS,
                args -> {
                    return Results.ok(new SandboxList(sandboxes.list().stream().map(WireViews::sandbox).toList()));
                });
    }

    private ToolDefinition remove() {
        return new ToolDefinition("sandbox_remove", "Remove a sandbox",
                "Stop a persistent sandbox if it runs and remove it with its files.",
                Schema.object().string("name", "The sandbox's name", true),
                SandboxRemoved.class,
                Effect.DESTROYS,
                args -> {
                    String name = name(args);
                    sandboxes.remove(name);
                    return Results.ok(new SandboxRemoved(name, true, "Removed sandbox '" + name + "'"));
                });
    }

    private ToolDefinition start() {
        return new ToolDefinition("sandbox_start", "Start a sandbox",
                "Start a stopped persistent sandbox again; its /workspace files are kept.",
                Schema.object().string("name", "The sandbox's name", true),
                SandboxView.class, Effect.ADDS,
                args -> Results.ok(toJson(sandboxes.start(name(args)))));
    }

    private ToolDefinition stop() {
        return new ToolDefinition("sandbox_stop", "Stop a sandbox",
                "Stop a running persistent sandbox: its processes are killed, its /workspace files are kept.",
                Schema.object().string("name", "The sandbox's name", true),
                SandboxView.class, Effect.DESTROYS,
                args -> Results.ok(toJson(sandboxes.stop(name(args)))));
    }

    private ToolDefinition readFile() {
        return new ToolDefinition("sandbox_file_read", "Read a file of a sandbox",
                "Read a file of a running persistent sandbox. Text (UTF-8) comes back as it is, other content as "
                        + "base64 (encoding says which).",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .string("path", "The file's absolute path in the sandbox, e.g. /workspace/out.txt", true),
                FileRead.class,
                Effect.READS,
                args -> {
                    String name = name(args);
                    String path = path(args);
                    FileStat stat = sandboxes.stat(name, path);
                    if (stat.type() == FileStat.Type.DIRECTORY) {
                        throw new InvalidRequestException(path + " is a directory; read a file");
                    }
                    if (stat.type() != FileStat.Type.FILE) {
                        throw new InvalidRequestException(path + " is not a regular file");
                    }
                    if (stat.size() > maxFileBytes) {
                        throw new InvalidRequestException("file " + path + " is " + stat.size()
                                + " bytes, more than the " + maxFileBytes + " a tool result carries");
                    }
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    long size = sandboxes.readFile(name, path, new Bounded(bytes, maxFileBytes));
                    Optional<String> text = utf8(bytes.toByteArray());
                    return Results.ok(new FileRead(path,
                            text.orElseGet(() -> Base64.getEncoder().encodeToString(bytes.toByteArray())),
                            text.isPresent() ? "utf8" : "base64", size));
                });
    }

    private ToolDefinition writeFile() {
        return new ToolDefinition("sandbox_file_write", "Write a file of a sandbox",
                "Write (create or replace) a file of a running persistent sandbox, with its missing parent directories.",
                Schema.object()
                        .string("name", "The sandbox's name", true)
                        .string("path", "The file's absolute path in the sandbox, e.g. /workspace/data.csv", true)
                        .string("content", "The content: text, or base64 with encoding base64", true)
                        .choice("encoding", "How content is given: utf8 (default) or base64", List.of("utf8", "base64"),
                                "utf8"),
                FileWritten.class,
                Effect.DESTROYS,
                args -> {
                    String name = name(args);
                    String path = path(args);
                    String content = args.text("content", null);
                    if (content == null) {
                        throw new InvalidRequestException("sandbox_file_write: content is required: the file's text, "
                                + "or base64 with \"encoding\": \"base64\"");
                    }
                    String encoding = args.optionalString("encoding").orElse("utf8");
                    byte[] bytes = switch (encoding) {
                        case "utf8", "utf-8" -> content.getBytes(StandardCharsets.UTF_8);
                        case "base64" -> {
                            try {
                                yield Base64.getDecoder().decode(content.replaceAll("[\\r\\n\\t ]", ""));
                            } catch (IllegalArgumentException e) {
                                throw new InvalidRequestException("sandbox_file_write: content is not valid base64: "
                                        + e.getMessage());
                            }
                        }
                        default -> throw new InvalidRequestException("sandbox_file_write: encoding must be \"utf8\" or "
                                + "\"base64\", got \"" + encoding + "\"");
                    };
                    if (bytes.length > maxFileBytes) {
                        throw new InvalidRequestException("sandbox_file_write: content is " + bytes.length
                                + " bytes, more than the limit of " + maxFileBytes);
                    }
                    long written = sandboxes.writeFile(name, path, new ByteArrayInputStream(bytes));
                    return Results.ok(new FileWritten(path, written, "Wrote " + written + " bytes to " + path));
                });
    }

    private static io.modelcontextprotocol.spec.McpSchema.CallToolResult commandResult(Termination end, Object data) {
        if (end.exitCode() != 0) {
            return Results.failed("the command " + (end.describe().isEmpty() ? "exited with code " + end.exitCode()
                    : end.describe() + " (exit code " + end.exitCode() + ")"), data);
        }
        return Results.ok(data);
    }

    private static final String ALLOW_DOMAINS = "Network policy: only these names (and allow_addresses) are reachable, "
            + "e.g. [\"pypi.org\", \"*.pythonhosted.org\"]; refusals fail at once and are audited";
    private static final String DENY_DOMAINS = "Network policy: names never resolved or reached (deny wins)";
    private static final String ALLOW_ADDRESSES = "Network policy: IPv4 addresses or CIDR ranges reachable directly";
    private static final String DENY_ADDRESSES = "Network policy: IPv4 addresses or CIDR ranges never reached";
    private static final String ADD_HOSTS = "Extra host entries NAME:IP, answered by the sandbox's resolver (policed "
            + "like any name)";

    /** The network-policy arguments as the model's policy (which checks every entry: an error naming it). */
    private static dev.agentkernel.model.NetworkPolicy egress(Arguments args) {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String entry : args.strings("add_hosts", "[\"db.internal:198.51.100.7\"]")) {
            Map.Entry<String, String> host = dev.agentkernel.model.NetworkPolicy.parseExtraHost(entry);
            hosts.put(host.getKey(), host.getValue());
        }
        return new dev.agentkernel.model.NetworkPolicy(args.strings("allow_domains", "[\"pypi.org\"]"),
                args.strings("deny_domains", "[\"evil.example\"]"), args.strings("allow_addresses", "[\"198.51.100.0/24\"]"),
                args.strings("deny_addresses", "[\"203.0.113.7\"]"), List.of(), hosts);
    }

    private static Map<String, String> env(Arguments args) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : args.strings("env", "[\"DEBUG=1\"]")) {
            String[] kv = EnvVar.parse(assignment);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    private static String name(Arguments args) {
        return SandboxNames.requireValid(args.requiredString("name", NAME_EXAMPLE));
    }

    private static String path(Arguments args) {
        String path = args.requiredString("path", "{\"name\": \"my-sandbox\", \"path\": \"/workspace/notes.txt\"}");
        if (path.indexOf('\0') >= 0 || path.length() > 4096) {
            throw new InvalidRequestException("path must be at most 4096 characters without NUL bytes");
        }
        return SandboxPaths.requireAbsolute(path, "path");
    }

    /** The content as text, if it is valid UTF-8 without NUL bytes. */
    static Optional<String> utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    static SandboxView toJson(SandboxInfo info) {
        return WireViews.sandbox(info);
    }

    /** An output stream that refuses to take more than a limit (a file that grows while read). */
    private static final class Bounded extends java.io.FilterOutputStream {
        private final long limit;
        private long count;

        Bounded(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > limit) {
                throw new UncheckedIOException(new IOException("the file grew beyond " + limit + " bytes while read"));
            }
            out.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
