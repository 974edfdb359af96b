package dev.agentkernel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.model.NetworkPolicy;
import java.util.List;
import java.util.Map;

/** A {@link NetworkPolicy} as the JSON text of a column; {@code NULL} for {@link NetworkPolicy#NONE}. */
final class NetworkPolicyJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NetworkPolicyJson() {
    }

    /** The column's text: null when the policy has no rule. */
    static String write(NetworkPolicy policy) {
        if (!policy.restricts()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(new Stored(policy.allowDomains(), policy.denyDomains(),
                    policy.allowAddresses(), policy.denyAddresses(), policy.ports(), policy.extraHosts()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The policy of a column's text.
     *
     * @throws IllegalArgumentException if it is not a stored policy
     */
    static NetworkPolicy read(String text) {
        if (text == null) {
            return NetworkPolicy.NONE;
        }
        try {
            Stored s = JSON.readValue(text, Stored.class);
            return new NetworkPolicy(s.allowDomains(), s.denyDomains(), s.allowAddresses(), s.denyAddresses(),
                    s.ports(), s.extraHosts());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable network policy: " + e.getOriginalMessage());
        }
    }

    /** The stored form. */
    record Stored(List<String> allowDomains, List<String> denyDomains, List<String> allowAddresses,
                  List<String> denyAddresses, List<Integer> ports, Map<String, String> extraHosts) {
    }
}
