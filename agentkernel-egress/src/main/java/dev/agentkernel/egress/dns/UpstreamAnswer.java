package dev.agentkernel.egress.dns;

import java.util.List;

/** What the upstream resolvers said about a name's A records. */
sealed interface UpstreamAnswer {

    /**
     * The name exists; its addresses (empty: it has no A record).
     *
     * @param addresses the A records at the end of the name's CNAME chain, each with the smallest
     *                  TTL along the chain
     */
    record Addresses(List<ResolvedAddress> addresses) implements UpstreamAnswer {
        public Addresses {
            addresses = List.copyOf(addresses);
        }
    }

    /** The name does not exist (NXDOMAIN). */
    record NoSuchName() implements UpstreamAnswer {
    }

    /**
     * No upstream resolver gave a usable answer.
     *
     * @param reason why, for logs
     */
    record Failed(String reason) implements UpstreamAnswer {
    }
}
