package dev.agentkernel.egress.dns;

import java.net.Inet4Address;
import java.util.List;

/** The addresses of an allowed name for one sandbox, after its rules. */
sealed interface LookupResult {

    /**
     * The name exists.
     *
     * @param kept    the addresses the sandbox may be given
     * @param dropped the addresses its rules refuse (e.g. {@code deny_addresses}), with the rule
     */
    record Found(List<ResolvedAddress> kept, List<Dropped> dropped) implements LookupResult {
        public Found {
            kept = List.copyOf(kept);
            dropped = List.copyOf(dropped);
        }
    }

    /** The name does not exist. */
    record NoSuchName() implements LookupResult {
    }

    /**
     * Upstream failed.
     *
     * @param reason why, for logs and messages
     */
    record Failed(String reason) implements LookupResult {
    }

    /**
     * An address left out of an answer.
     *
     * @param address the address
     * @param rule    the rule that refused it
     */
    record Dropped(Inet4Address address, String rule) {
    }
}
