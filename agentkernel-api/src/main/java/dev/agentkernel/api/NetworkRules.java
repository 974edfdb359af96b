package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code network_policy} of a request that starts a sandbox: what its network may reach, enforced
 * on the host (our resolver resolves only allowed names; the packet filter lets connections
 * through only to what allowed names resolved to, allowed ranges and allowed ports; a proxy checks
 * HTTP {@code Host} and TLS SNI). With any {@code allow_*} entry only what is allowed is reachable;
 * deny always wins. Each refusal is audited as {@code policy_violation}.
 *
 * @param allowDomains   names that may be resolved and reached; {@code "*.example.com"} is every name below it
 * @param denyDomains    names never resolved or reached
 * @param allowAddresses IPv4 addresses and CIDR ranges reachable directly, e.g. {@code "198.51.100.0/24"}
 * @param denyAddresses  IPv4 addresses and CIDR ranges never reached
 * @param ports          the destination ports allowed (default: every port)
 * @param addHosts       extra host entries {@code "NAME:IP"} (Docker's {@code --add-host}), answered by our
 *                       resolver and subject to the same rules as any name
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NetworkRules(List<String> allowDomains, List<String> denyDomains, List<String> allowAddresses,
                           List<String> denyAddresses, List<Integer> ports, List<String> addHosts) {

    /** Copies; absent lists are empty, no entry may be null (the server checks each entry's syntax). */
    public NetworkRules {
        allowDomains = Check.optionalList(allowDomains, "network_policy.allow_domains");
        denyDomains = Check.optionalList(denyDomains, "network_policy.deny_domains");
        allowAddresses = Check.optionalList(allowAddresses, "network_policy.allow_addresses");
        denyAddresses = Check.optionalList(denyAddresses, "network_policy.deny_addresses");
        ports = Check.optionalList(ports, "network_policy.ports");
        addHosts = Check.optionalList(addHosts, "network_policy.add_hosts");
    }

    /** Rules allowing only {@code domains}. */
    public static NetworkRules allowing(List<String> domains) {
        return new NetworkRules(domains, null, null, null, null, null);
    }
}
