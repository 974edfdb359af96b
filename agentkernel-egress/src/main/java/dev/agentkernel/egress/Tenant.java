package dev.agentkernel.egress;

import dev.agentkernel.model.SecretGrant;
import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;

/**
 * One sandbox under a network policy, as the resolver and the proxy see it.
 *
 * @param sandbox the sandbox's name (or label of a one-shot run), for audit events and messages
 * @param address its address on the host's bridge: connections and queries from it are its own
 * @param rules   what it may reach
 * @param secrets the secrets granted to it
 */
public record Tenant(String sandbox, Inet4Address address, EgressRules rules, List<SecretGrant> secrets) {

    /** Validates and copies. */
    public Tenant {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(rules, "rules");
        secrets = List.copyOf(secrets);
    }
}
