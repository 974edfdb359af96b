package dev.agentkernel.core.secret;

import dev.agentkernel.model.SecretGrant;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Turns a sandbox's {@link SecretBinding}s into the egress proxy's {@link SecretGrant}s: one grant
 * per secret name with every host it is bound to, its value (the stored secret's, or the inline
 * one) and a placeholder made for this sandbox and secret, {@code AKSECRET_<name>_<32 hex>}: the
 * hex digits are 128 random bits ({@link SecureRandom}), so a placeholder cannot be guessed and
 * no two sandboxes share one. The sandbox sees only the placeholder.
 */
public final class SecretGrants {

    /** What every placeholder starts with. */
    public static final String PREFIX = "AKSECRET_";
    /** The number of random hex digits that end every placeholder. */
    public static final int RANDOM_HEX = 32;
    /** What a placeholder looks like. */
    public static final Pattern PLACEHOLDER = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z_][A-Za-z0-9_]*_[0-9a-f]{"
            + RANDOM_HEX + "}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretGrants() {
    }

    /**
     * As {@link #resolve(List, SecretManager, Predicate)}, placeholders replaced in headers only.
     */
    public static List<SecretGrant> resolve(List<SecretBinding> bindings, SecretManager secrets) {
        return resolve(bindings, secrets, name -> false);
    }

    /**
     * The grants of one sandbox, in the order their names first appear in {@code bindings}.
     * Bindings of one name must agree: all inline with one value, or all the stored secret; one
     * header or none.
     *
     * @param bindings what the create request asked for
     * @param secrets  where stored values are read
     * @param inBody   which secrets' placeholders are replaced in request bodies too
     * @throws InvalidRequestException naming a secret that is not stored (400), or bindings of one name that disagree
     * @throws dev.agentkernel.model.SandboxFailureException if a stored value cannot be decrypted
     */
    public static List<SecretGrant> resolve(List<SecretBinding> bindings, SecretManager secrets,
                                            Predicate<String> inBody) {
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(inBody, "inBody");
        Map<String, List<SecretBinding>> byName = new LinkedHashMap<>();
        for (SecretBinding b : bindings) {
            byName.computeIfAbsent(b.name(), n -> new ArrayList<>()).add(b);
        }
        List<SecretGrant> grants = new ArrayList<>();
        for (Map.Entry<String, List<SecretBinding>> e : byName.entrySet()) {
            String name = e.getKey();
            List<SecretBinding> same = e.getValue();
            Optional<String> inline = same.getFirst().inlineValue();
            Optional<String> header = same.getFirst().header();
            List<String> hosts = new ArrayList<>();
            for (SecretBinding b : same) {
                if (b.inlineValue().isPresent() != inline.isPresent()) {
                    throw new InvalidRequestException("secrets: '" + name + "' is given both an inline value and the"
                            + " stored secret; use one or the other for all its hosts");
                }
                if (!b.inlineValue().equals(inline)) {
                    throw new InvalidRequestException("secrets: '" + name + "' is given different inline values; give"
                            + " one value for all its hosts");
                }
                if (!b.header().equals(header)) {
                    throw new InvalidRequestException("secrets: '" + name + "' is given different headers ("
                            + header.orElse("none") + ", " + b.header().orElse("none") + "); a secret is set in one"
                            + " header (or none) for all its hosts");
                }
                if (!hosts.contains(b.host())) {
                    hosts.add(b.host());
                }
            }
            String value = inline.orElseGet(() -> stored(name, secrets));
            grants.add(new SecretGrant(name, placeholder(name), value, hosts, header, inBody.test(name)));
        }
        return List.copyOf(grants);
    }

    /** A new placeholder for secret {@code name}: {@code AKSECRET_<name>_<32 random hex digits>}. */
    public static String placeholder(String name) {
        SecretNames.requireValid(name);
        byte[] random = new byte[RANDOM_HEX / 2];
        RANDOM.nextBytes(random);
        return PREFIX + name + "_" + HexFormat.of().formatHex(random);
    }

    private static String stored(String name, SecretManager secrets) {
        try {
            return secrets.value(name);
        } catch (NotFoundException e) {
            throw new InvalidRequestException("secret '" + name + "' is not stored: set it first (agentkernel secret"
                    + " set " + name + ", or PUT /secrets/" + name + "), or give its value inline (" + name
                    + "=value:host)");
        }
    }
}
