package dev.agentkernel.egress;

import java.net.Inet4Address;
import java.time.Duration;

/**
 * Where the resolver reports the addresses that an allowed name resolved to for a sandbox: the
 * packet filter lets the sandbox reach them (on its allowed ports) for {@code ttl}, and nothing
 * else that no allowed range covers.
 */
@FunctionalInterface
public interface AllowedDestinations {

    /** Lets {@code tenant} reach {@code address} for {@code ttl}. */
    void allow(Tenant tenant, Inet4Address address, Duration ttl);
}
