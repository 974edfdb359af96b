package dev.agentkernel.core.secret;

import dev.agentkernel.model.SecretGrant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The secrets granted to one persistent sandbox, as kept with it: which secret for which host
 * (and header), stored secrets by name, a create request's own values ({@code KEY=value:host})
 * sealed with the secrets key, never in clear; and which placeholders are also files. Each launch
 * makes grants with fresh placeholders from it ({@link #grant}).
 *
 * @param bindings one entry per secret and host
 * @param files    the secrets whose placeholder is also in {@code /run/agentkernel/secrets/NAME}
 * @param inBody   the secrets whose placeholder the proxy also replaces in request bodies
 */
public record SandboxSecrets(List<Binding> bindings, List<String> files, List<String> inBody) {

    /** None. */
    public static final SandboxSecrets NONE = new SandboxSecrets(List.of(), List.of(), List.of());

    /**
     * One kept binding.
     *
     * @param name        the secret's name
     * @param host        the host (or {@code *.domain}) it may be sent to
     * @param header      the header the proxy sets for that host, if any
     * @param sealedValue the request's own value, sealed ({@link SecretManager#seal}); empty: the stored secret
     */
    public record Binding(String name, String host, Optional<String> header, Optional<String> sealedValue) {

        /** Validates. */
        public Binding {
            SecretNames.requireValid(name);
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(sealedValue, "sealedValue");
        }
    }

    /** Copies. */
    public SandboxSecrets {
        bindings = List.copyOf(bindings);
        files = List.copyOf(files);
        inBody = List.copyOf(inBody);
    }

    /** Secrets replaced in headers only. */
    public SandboxSecrets(List<Binding> bindings, List<String> files) {
        this(bindings, files, List.of());
    }

    /**
     * A create request's {@code secrets} and {@code secret_files}, checked (syntax, files bound to a
     * host, stored secrets that exist: a grant is made once and dropped) and kept.
     *
     * @throws dev.agentkernel.model.InvalidRequestException naming what is wrong (never a value)
     */
    public static SandboxSecrets of(String sandbox, List<String> secrets, List<String> secretFiles,
                                    List<String> secretsInBody, SecretManager manager) {
        if (secrets.isEmpty() && secretFiles.isEmpty() && secretsInBody.isEmpty()) {
            return NONE;
        }
        List<SecretBinding> parsed = SecretBindings.parse(secrets);
        List<String> files = SecretBindings.files(secretFiles, parsed);
        for (String name : secretsInBody) {
            if (parsed.stream().noneMatch(b -> b.name().equals(name))) {
                throw new dev.agentkernel.model.InvalidRequestException("secrets_in_body names " + name
                        + ", which no entry of secrets grants to a host");
            }
        }
        SecretGrants.resolve(parsed, manager); // unknown secrets and disagreeing bindings fail here, before anything
        List<Binding> kept = new ArrayList<>();
        for (SecretBinding b : parsed) {
            kept.add(new Binding(b.name(), b.host(), b.header(),
                    b.inlineValue().map(v -> manager.seal(context(sandbox, b.name()), v))));
        }
        return new SandboxSecrets(kept, files, List.copyOf(new java.util.LinkedHashSet<>(secretsInBody)));
    }

    /** Whether nothing is granted. */
    public boolean isEmpty() {
        return bindings.isEmpty();
    }

    /**
     * Grants for one launch of {@code sandbox}: values read (stored secrets) or opened (its own),
     * fresh placeholders.
     *
     * @throws dev.agentkernel.model.InvalidRequestException if a stored secret it names was removed since
     * @throws dev.agentkernel.model.SandboxFailureException if a value cannot be decrypted
     */
    public List<SecretGrant> grant(String sandbox, SecretManager manager) {
        if (bindings.isEmpty()) {
            return List.of();
        }
        List<SecretBinding> open = new ArrayList<>();
        for (Binding b : bindings) {
            open.add(new SecretBinding(b.name(), b.sealedValue().map(v -> manager.unseal(context(sandbox, b.name()), v)),
                    b.host(), b.header()));
        }
        return SecretGrants.resolve(open, manager, inBody::contains);
    }

    private static String context(String sandbox, String name) {
        return "sandbox " + sandbox + " secret " + name;
    }
}
