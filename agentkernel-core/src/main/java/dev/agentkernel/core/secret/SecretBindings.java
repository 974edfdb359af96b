package dev.agentkernel.core.secret;

import dev.agentkernel.model.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a sandbox create request's {@code secrets} and {@code secret_files} (the published Node
 * client's formats). Each {@code secrets} entry is one of:
 *
 * <ul>
 *   <li>{@code KEY:host}: the stored secret {@code KEY}, for {@code host};</li>
 *   <li>{@code KEY:host:header}: the same, and the proxy sets request header {@code header} to the
 *       value for {@code host};</li>
 *   <li>{@code KEY=value:host}: {@code value} itself, for that sandbox only (never stored), for
 *       {@code host}. The value ends at the <em>last</em> {@code ':'}, so it may contain colons
 *       ({@code TOKEN=user:pass:api.example.com}); this form takes no header.</li>
 * </ul>
 *
 * <p>{@code KEY} is a secret name ({@link SecretNames}); whether the entry has an inline value is
 * decided by the character after it ({@code '='} or {@code ':'}). {@code host} is a DNS name or
 * {@code *.example.com} (every name below {@code example.com}), without a port; {@code header} an
 * HTTP header name (not all digits: {@code KEY:host:443} is refused as a port, not read as a
 * header). An entry may repeat a name with other hosts. No message quotes an inline value (nor
 * the entry that holds it).
 *
 * <p>{@code secret_files} lists secret names whose placeholder the sandbox also finds in the file
 * {@code /run/agentkernel/secrets/KEY}; each must be granted to some host by {@code secrets}.
 */
public final class SecretBindings {

    /** The directory of the files of {@code secret_files} inside a sandbox. */
    public static final String FILES_DIR = "/run/agentkernel/secrets";
    /** The most entries of {@code secrets} or {@code secret_files}. */
    public static final int MAX_ENTRIES = 100;

    private static final Pattern NAME_PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    /** RFC 9110 token. */
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    private static final String FORMATS = "use KEY:host, KEY:host:header or KEY=value:host";

    private SecretBindings() {
    }

    /**
     * Parses the entries of {@code secrets}.
     *
     * @throws InvalidRequestException naming the entry (by its position and name) that is not valid and why
     */
    public static List<SecretBinding> parse(List<String> entries) {
        Objects.requireNonNull(entries, "secrets");
        if (entries.size() > MAX_ENTRIES) {
            throw new InvalidRequestException("secrets: at most " + MAX_ENTRIES + " entries; got " + entries.size());
        }
        List<SecretBinding> bindings = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            bindings.add(parse(entries.get(i), i));
        }
        return List.copyOf(bindings);
    }

    /**
     * Parses one entry of {@code secrets}.
     *
     * @throws InvalidRequestException saying why it is not valid
     */
    public static SecretBinding parse(String entry) {
        return parse(entry, -1);
    }

    /**
     * Checks the names of {@code secret_files}: valid secret names, each granted to a host by
     * {@code bindings}. Repeated names count once.
     *
     * @return the names, in the order given
     * @throws InvalidRequestException for a bad name, or one that no binding grants
     */
    public static List<String> files(List<String> names, List<SecretBinding> bindings) {
        Objects.requireNonNull(names, "secret_files");
        if (names.size() > MAX_ENTRIES) {
            throw new InvalidRequestException("secret_files: at most " + MAX_ENTRIES + " entries; got " + names.size());
        }
        Set<String> granted = new LinkedHashSet<>();
        bindings.forEach(b -> granted.add(b.name()));
        Set<String> files = new LinkedHashSet<>();
        for (String name : names) {
            try {
                SecretNames.requireValid(name);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("secret_files: " + e.getMessage());
            }
            if (!granted.contains(name)) {
                throw new InvalidRequestException("secret_files: secret '" + name + "' is granted to no host: add an"
                        + " entry '" + name + ":HOST' to secrets (its file holds a placeholder that the proxy replaces"
                        + " only in requests to the hosts it is granted to)");
            }
            files.add(name);
        }
        return List.copyOf(files);
    }

    /** The path of secret {@code name}'s file inside the sandbox. */
    public static String filePath(String name) {
        return FILES_DIR + "/" + SecretNames.requireValid(name);
    }

    private static SecretBinding parse(String entry, int index) {
        String where = index < 0 ? "secrets" : "secrets[" + index + "]";
        if (entry == null || entry.isBlank()) {
            throw new InvalidRequestException(where + ": an entry is empty; " + FORMATS);
        }
        var m = NAME_PREFIX.matcher(entry);
        if (!m.lookingAt() || m.end() == entry.length()) {
            throw new InvalidRequestException(where + ": an entry must start with a secret name (letters, digits"
                    + " and '_', not starting with a digit) followed by ':' or '='; " + FORMATS);
        }
        String name = entry.substring(0, m.end());
        if (name.length() > SecretNames.MAX_NAME) {
            SecretNames.requireValid(name); // says how long
        }
        char separator = entry.charAt(m.end());
        String rest = entry.substring(m.end() + 1);
        where = where + " (" + name + ")";
        return switch (separator) {
            case '=' -> {
                int colon = rest.lastIndexOf(':');
                if (colon < 0) {
                    throw new InvalidRequestException(where + ": an inline value needs the host it is for after its"
                            + " last ':' (KEY=value:host)");
                }
                String value = rest.substring(0, colon);
                if (value.isEmpty()) {
                    throw new InvalidRequestException(where + ": the inline value is empty (KEY=value:host)");
                }
                yield new SecretBinding(name, Optional.of(value), host(rest.substring(colon + 1), where, false),
                        Optional.empty());
            }
            case ':' -> {
                String[] parts = rest.split(":", -1);
                if (parts.length > 2) {
                    throw new InvalidRequestException(where + ": '" + entry + "' has too many ':'; " + FORMATS
                            + " (a host takes no port)");
                }
                yield new SecretBinding(name, Optional.empty(), host(parts[0], where, true),
                        parts.length == 2 ? Optional.of(header(parts[1], where)) : Optional.empty());
            }
            default -> throw new InvalidRequestException(where + ": '" + separator + "' after the secret name; "
                    + FORMATS + " (names have letters, digits and '_')");
        };
    }

    /** {@code quote}: whether the message may show the text (not after an inline value: it may be part of it). */
    private static String host(String text, String where, boolean quote) {
        String host = text.strip().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        String rest = host.startsWith("*.") ? host.substring(2) : host;
        String why = null;
        if (rest.isEmpty()) {
            why = "it is empty";
        } else if (rest.length() > 253) {
            why = "a host name has at most 253 characters";
        } else {
            for (String label : rest.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    why = (quote ? "'" + printable(label) + "'" : "a label") + " is not a DNS label (letters, digits, '-', '_'; '*.' only as the"
                            + " first label)";
                    break;
                }
            }
        }
        if (why != null) {
            throw new InvalidRequestException(where + ": host " + (quote ? "'" + printable(text) + "' " : "after the"
                    + " last ':' ") + "is not a host name such as"
                    + " api.example.com or *.example.com: " + why);
        }
        return host;
    }

    private static String header(String text, String where) {
        if (text.matches("[0-9]{1,5}")) {
            throw new InvalidRequestException(where + ": '" + text + "' looks like a port, but a host takes no port"
                    + " here; the part after the host is a request header's name (KEY:host:header)");
        }
        if (!HEADER.matcher(text).matches()) {
            throw new InvalidRequestException(where + ": '" + printable(text) + "' is not an HTTP header name (e.g."
                    + " Authorization or X-Api-Key)");
        }
        return text;
    }

    private static String printable(String text) {
        String shown = text.length() > 260 ? text.substring(0, 260) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
