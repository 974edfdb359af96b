package dev.agentkernel.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.toml.TomlReadFeature;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Loads and validates {@code agentkernel.toml}:
 *
 * <pre>{@code
 * [sandbox]
 * name = "my-project"
 * base_image = "python:3.12-alpine"
 *
 * [agent]
 * preferred = "claude"      # claude, gemini, codex, opencode
 *
 * [resources]
 * vcpus = 2                 # integer or decimal, at least 0.01
 * memory_mb = 1024          # integer, at least 16
 * disk_mb = 2048            # persistent sandboxes (create): their disk, an integer, at least 16
 *
 * [security]
 * profile = "restrictive"   # permissive, moderate, restrictive
 * network = false
 *
 * [network]                 # what the sandboxes' network may reach (deny wins; any allow_* means only what is allowed)
 * allow_domains = ["pypi.org", "*.pythonhosted.org"]
 * deny_domains = ["*.evil.example"]
 * allow_addresses = ["198.51.100.0/24"]
 * deny_addresses = ["203.0.113.7"]
 * ports = [443]
 * add_hosts = ["db.internal:198.51.100.7"]
 * }</pre>
 *
 * <p>Every key is optional. Keys and sections not listed here are ignored, so a file
 * written for a newer version (or holding another tool's settings) still loads; a
 * misspelt key is therefore ignored too. Agent and profile names are case-insensitive.
 * Every problem is reported as an {@link InvalidRequestException} whose message is one
 * line naming the file and, where it applies, the line or the {@code [section] key}.
 */
public final class ConfigLoader {

    /** The name of the config file in a project directory. */
    public static final String FILE_NAME = "agentkernel.toml";
    /** The largest config file read; anything bigger is refused rather than parsed. */
    static final int MAX_BYTES = 1024 * 1024;

    /** Holder idiom: Jackson is loaded only when a config file is actually parsed (CLI start-up). */
    private static final class Mapper {
        static final TomlMapper INSTANCE = TomlMapper.builder()
                .enable(TomlReadFeature.PARSE_JAVA_TIME)
                .build();
    }

    private ConfigLoader() {
    }

    /**
     * Reads and validates the config file {@code file}. An empty file gives
     * {@link ProjectConfig#empty()}.
     *
     * @throws InvalidRequestException if the file cannot be read, is not valid TOML, or a
     *                                 known key has a value of the wrong type or out of range
     */
    public static ProjectConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        String shown = file.toString();
        ObjectNode root = parse(shown, read(file));
        return new ProjectConfig(sandbox(TomlSection.of(shown, root, "sandbox")),
                agent(TomlSection.of(shown, root, "agent")),
                resources(TomlSection.of(shown, root, "resources")),
                security(TomlSection.of(shown, root, "security")),
                execution(TomlSection.of(shown, root, "execution"), file.toAbsolutePath().getParent()),
                retention(TomlSection.of(shown, root, "retention")),
                network(TomlSection.of(shown, root, "network")));
    }

    /**
     * Reads a TOML file with the same checks as {@link #load} (size, UTF-8, syntax), as a tree.
     *
     * @throws InvalidRequestException if the file cannot be read or is not valid TOML
     */
    static ObjectNode readToml(Path file) {
        Objects.requireNonNull(file, "file");
        return parse(file.toString(), read(file));
    }

    /**
     * The config file of the project in {@code dir}: {@code dir/agentkernel.toml} if it
     * exists and is not a directory. Parent directories are not searched. A missing or
     * unreadable {@code dir} has none.
     */
    public static Optional<Path> findInProject(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path candidate = dir.resolve(FILE_NAME);
        try {
            return Files.exists(candidate) && !Files.isDirectory(candidate) ? Optional.of(candidate) : Optional.empty();
        } catch (SecurityException e) {
            return Optional.empty();
        }
    }

    private static String read(Path file) {
        byte[] bytes;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw cannotRead(file, "is a directory, not a file");
            }
            if (!attributes.isRegularFile()) {
                throw cannotRead(file, "not a regular file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            throw cannotRead(file, reason(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw new InvalidRequestException("config file " + file + " is larger than " + MAX_BYTES / 1024
                    + " KiB: a config file only needs a few lines; check that the right file is given");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("invalid TOML in " + file + ": the file is not UTF-8 text; save it as UTF-8");
        }
    }

    /** Why reading failed, in a few lower-case words: "no such file", "permission denied", ... */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return lowerFirst(fse.getReason());
        }
        return e.getMessage() == null ? "input/output error" : lowerFirst(firstLine(e.getMessage()));
    }

    private static InvalidRequestException cannotRead(Path file, String reason) {
        return new InvalidRequestException("cannot read config file " + file + ": " + reason);
    }

    private static ObjectNode parse(String file, String text) {
        JsonNode root;
        try {
            root = Mapper.INSTANCE.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            String where = location != null && location.getLineNr() > 0 ? " at line " + location.getLineNr() : "";
            throw new InvalidRequestException("invalid TOML in " + file + where + ": " + parserMessage(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // The parser also fails with unchecked exceptions, e.g. for a date such as 1979-13-45.
            throw new InvalidRequestException("invalid TOML in " + file + ": " + parserMessage(e.getMessage()));
        }
        return root instanceof ObjectNode object ? object : Mapper.INSTANCE.createObjectNode();
    }

    /** A parser's message made fit for a person: one line, no Java or Jackson names. */
    static String parserMessage(String message) {
        if (message == null || message.isBlank()) {
            return "the text could not be parsed";
        }
        String text = firstLine(message)
                .replaceAll(",? ?from `[^`]*`", "")
                .replaceAll(", problem: .*$", "")
                .strip();
        if (text.contains("`") || text.contains("java.") || text.contains("jackson") || text.isEmpty()) {
            return "the text could not be parsed";
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return lowerFirst(text);
    }

    private static ProjectConfig.SandboxSection sandbox(TomlSection section) {
        Optional<String> name = section.nonBlankString("name");
        Optional<String> baseImage = section.nonBlankString("base_image");
        if (baseImage.filter(image -> image.chars().anyMatch(Character::isWhitespace)).isPresent()) {
            throw section.invalid("base_image", "must be an image name without spaces, e.g. \"python:3.12-alpine\"");
        }
        Optional<String> backend = section.nonBlankString("backend");
        if (backend.filter(b -> !dev.agentkernel.model.SandboxRequest.isBackendName(b)).isPresent()) {
            throw section.invalid("backend", "must be a backend's name such as \"bwrap\", \"runc\" or \"gvisor\"");
        }
        return new ProjectConfig.SandboxSection(name, baseImage, backend);
    }

    private static ProjectConfig.AgentSection agent(TomlSection section) {
        Optional<String> preferred = section.nonBlankString("preferred");
        try {
            return new ProjectConfig.AgentSection(preferred.map(AgentKind::parse));
        } catch (InvalidRequestException e) {
            throw section.invalid("preferred", "must be one of " + AgentKind.acceptedIds());
        }
    }

    private static ProjectConfig.ResourcesSection resources(TomlSection section) {
        OptionalDouble vcpus = section.number("vcpus");
        if (vcpus.isPresent() && !Double.isFinite(vcpus.getAsDouble())) {
            throw section.invalid("vcpus", "must be a finite number of cores, e.g. 0.5 or 2");
        }
        if (vcpus.isPresent() && vcpus.getAsDouble() < ProjectConfig.ResourcesSection.MIN_VCPUS) {
            throw section.invalid("vcpus", "must be at least " + ProjectConfig.ResourcesSection.MIN_VCPUS
                    + " cores, e.g. 0.5 or 2");
        }
        OptionalLong memoryMb = section.integer("memory_mb");
        if (memoryMb.isPresent() && memoryMb.getAsLong() < ProjectConfig.ResourcesSection.MIN_MEMORY_MB) {
            throw section.invalid("memory_mb", "must be at least " + ProjectConfig.ResourcesSection.MIN_MEMORY_MB
                    + " (MiB), e.g. 512");
        }
        OptionalLong diskMb = section.integer("disk_mb");
        if (diskMb.isPresent() && diskMb.getAsLong() <= 0) {
            throw section.invalid("disk_mb", "must be a positive number of MiB, e.g. 1024");
        }
        return new ProjectConfig.ResourcesSection(vcpus, memoryMb, diskMb);
    }

    private static ProjectConfig.SecuritySection security(TomlSection section) {
        Optional<String> profileName = section.nonBlankString("profile");
        Optional<Profile> profile;
        try {
            profile = profileName.map(Profile::parse);
        } catch (InvalidRequestException e) {
            throw section.invalid("profile", "must be one of "
                    + Arrays.stream(Profile.values()).map(Profile::id).collect(Collectors.joining(", ")));
        }
        return new ProjectConfig.SecuritySection(profile, section.bool("network"));
    }

    private static ProjectConfig.ExecutionSection execution(TomlSection section, Path base) {
        Optional<Path> workspace = section.nonBlankString("workspace_dir").map(d -> base.resolve(d).normalize());
        Optional<Path> tools = section.nonBlankString("tools_dir").map(d -> base.resolve(d).normalize());
        OptionalDouble timeout = section.number("timeout");
        if (timeout.isPresent() && !(timeout.getAsDouble() > 0 && timeout.getAsDouble() <= 7 * 24 * 3600)) {
            throw section.invalid("timeout", "must be a positive number of seconds, at most a week");
        }
        OptionalLong retries = section.integer("max_retries");
        if (retries.isPresent() && (retries.getAsLong() < 0 || retries.getAsLong() > 10)) {
            throw section.invalid("max_retries", "must be between 0 and 10");
        }
        OptionalLong workers = section.integer("max_workers");
        if (workers.isPresent() && (workers.getAsLong() < 1 || workers.getAsLong() > 1000)) {
            throw section.invalid("max_workers", "must be between 1 and 1000");
        }
        return new ProjectConfig.ExecutionSection(workspace, tools,
                timeout.isPresent() ? Optional.of(java.time.Duration.ofMillis((long) (timeout.getAsDouble() * 1000)))
                        : Optional.empty(),
                retries.isPresent() ? java.util.OptionalInt.of((int) retries.getAsLong()) : java.util.OptionalInt.empty(),
                workers.isPresent() ? java.util.OptionalInt.of((int) workers.getAsLong()) : java.util.OptionalInt.empty());
    }

    private static dev.agentkernel.model.NetworkPolicy network(TomlSection section) {
        java.util.Map<String, String> hosts = new java.util.LinkedHashMap<>();
        for (String entry : section.strings("add_hosts")) {
            try {
                java.util.Map.Entry<String, String> host = dev.agentkernel.model.NetworkPolicy.parseExtraHost(entry);
                hosts.put(host.getKey(), host.getValue());
            } catch (InvalidRequestException e) {
                throw section.invalid("add_hosts", "must be \"NAME:IP\" entries, e.g. \"db.internal:198.51.100.7\"");
            }
        }
        try {
            return new dev.agentkernel.model.NetworkPolicy(section.strings("allow_domains"), section.strings("deny_domains"),
                    section.strings("allow_addresses"), section.strings("deny_addresses"), section.integers("ports"), hosts);
        } catch (InvalidRequestException e) {
            String field = e.getMessage().contains(":") ? e.getMessage().substring(0, e.getMessage().indexOf(':')) : "";
            throw section.invalid(field.isEmpty() ? "allow_domains" : field, e.getMessage().substring(field.length() + 1).strip());
        }
    }

    private static ProjectConfig.RetentionSection retention(TomlSection section) {
        OptionalDouble auditDays = section.number("audit_days");
        double max = ProjectConfig.RetentionSection.MAX_DAYS;
        if (auditDays.isPresent() && !(auditDays.getAsDouble() > 0 && auditDays.getAsDouble() <= max)) {
            throw section.invalid("audit_days", "must be a positive number of days, at most " + (long) max);
        }
        OptionalLong auditMax = section.integer("audit_max_events");
        if (auditMax.isPresent() && auditMax.getAsLong() < 1) {
            throw section.invalid("audit_max_events", "must be at least 1");
        }
        OptionalDouble taskDays = section.number("task_days");
        if (taskDays.isPresent() && !(taskDays.getAsDouble() > 0 && taskDays.getAsDouble() <= max)) {
            throw section.invalid("task_days", "must be a positive number of days, at most " + (long) max);
        }
        return new ProjectConfig.RetentionSection(auditDays, auditMax, taskDays);
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    private static String lowerFirst(String text) {
        if (text.isEmpty() || (text.length() > 1 && Character.isUpperCase(text.charAt(1)))) {
            return text;
        }
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
