package dev.agentkernel.egress;

import java.net.InetAddress;
import java.util.Optional;

/** Finds the sandbox behind a query or connection by its source address. */
@FunctionalInterface
public interface Tenants {

    /** The sandbox under a policy at {@code source}; empty if there is none (the query or connection is dropped). */
    Optional<Tenant> bySource(InetAddress source);
}
