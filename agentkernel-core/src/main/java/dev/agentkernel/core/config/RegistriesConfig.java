package dev.agentkernel.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How this host reaches image registries: {@code STATE/registries.toml} (or the file
 * {@code AGENTKERNEL_REGISTRIES} names), read by the daemon and the CLI alike. One table per
 * registry host:
 *
 * <pre>{@code
 * [registries."docker.io"]
 * mirrors = ["http://mirror.lan:5000", "registry-cache.internal"]
 *
 * [registries."registry.internal:5000"]
 * plain_http = true
 * username = "ci"
 * password_env = "INTERNAL_REGISTRY_TOKEN"   # the password comes from this variable, never the file
 * }</pre>
 *
 * <p>Credentials not given here come from {@code ~/.docker/config.json} (and its helpers).
 *
 * @param registries the settings by registry host ({@code host[:port]}), in the file's order
 */
public record RegistriesConfig(Map<String, Registry> registries) {

    /** The variable that names the file instead of {@code STATE/registries.toml}. */
    public static final String FILE_ENV = "AGENTKERNEL_REGISTRIES";
    /** The file's name under the state directory. */
    public static final String FILE_NAME = "registries.toml";
    private static final Set<String> KEYS = Set.of("mirrors", "plain_http", "username", "password_env");

    /** Copies. */
    public RegistriesConfig {
        registries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(registries));
    }

    /**
     * One registry's settings.
     *
     * @param mirrors   mirrors tried in order before the registry itself
     * @param plainHttp whether the registry speaks plain HTTP
     * @param username  a user name, with {@code password}
     * @param password  the password, read from the variable {@code password_env} names
     */
    public record Registry(List<String> mirrors, boolean plainHttp, Optional<String> username,
                           Optional<String> password) {
        /** Copies. */
        public Registry {
            mirrors = List.copyOf(mirrors);
        }
    }

    /** No registry configured. */
    public static RegistriesConfig empty() {
        return new RegistriesConfig(Map.of());
    }

    /**
     * The host's file: {@code AGENTKERNEL_REGISTRIES} if set (it must exist), else
     * {@code stateDir/registries.toml} if it exists, else nothing configured.
     *
     * @param env the process environment (the variables and the passwords)
     * @throws InvalidRequestException for a missing named file or a bad one, naming the key
     */
    public static RegistriesConfig forHost(Path stateDir, Map<String, String> env) {
        String named = env.get(FILE_ENV);
        if (named != null && !named.isBlank()) {
            return load(Path.of(named), env);
        }
        Path file = stateDir.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? load(file, env) : empty();
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws InvalidRequestException naming the file, the registry and the key
     */
    public static RegistriesConfig load(Path file, Map<String, String> env) {
        String shown = file.toString();
        ObjectNode root = ConfigLoader.readToml(file);
        for (var field : root.properties()) {
            if (!field.getKey().equals("registries")) {
                throw new InvalidRequestException(shown + ": unknown table or key '" + field.getKey()
                        + "'; registries are configured as [registries.\"HOST\"] tables");
            }
        }
        JsonNode all = root.get("registries");
        if (all == null) {
            return empty();
        }
        if (!(all instanceof ObjectNode tables)) {
            throw new InvalidRequestException(shown + ": registries must be tables, written [registries.\"HOST\"]");
        }
        Map<String, Registry> registries = new LinkedHashMap<>();
        for (var entry : tables.properties()) {
            String host = entry.getKey();
            TomlSection section = TomlSection.of(shown, tables, host);
            for (var key : ((ObjectNode) tables.get(host)).properties()) {
                if (!KEYS.contains(key.getKey())) {
                    throw section.invalid(key.getKey(), "is not a registry setting (mirrors, plain_http, username, "
                            + "password_env)");
                }
            }
            List<String> mirrors = new ArrayList<>();
            JsonNode list = tables.get(host).get("mirrors");
            if (list != null) {
                if (!list.isArray()) {
                    throw section.invalid("mirrors", "must be a list of strings, e.g. [\"http://mirror.lan:5000\"]");
                }
                for (JsonNode mirror : list) {
                    if (!mirror.isTextual() || mirror.textValue().isBlank()) {
                        throw section.invalid("mirrors", "must be a list of non-empty strings");
                    }
                    mirrors.add(mirror.textValue().strip());
                }
            }
            Optional<String> username = section.nonBlankString("username");
            Optional<String> passwordEnv = section.nonBlankString("password_env");
            if (username.isPresent() != passwordEnv.isPresent()) {
                throw section.invalid(username.isPresent() ? "password_env" : "username",
                        "is needed too: username and password_env go together");
            }
            Optional<String> password = passwordEnv.map(name -> {
                String value = env.get(name);
                if (value == null || value.isEmpty()) {
                    throw section.invalid("password_env", "names the variable " + name + ", which is not set");
                }
                return value;
            });
            registries.put(host, new Registry(mirrors, section.bool("plain_http").orElse(false), username, password));
        }
        return new RegistriesConfig(registries);
    }
}
