package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.EgressEvents;

/**
 * What the connection handlers of one proxy share.
 *
 * @param upstream    where they connect
 * @param ca          the authority of the certificates they present when they terminate TLS
 * @param events      where refusals and withheld placeholders are reported
 * @param options     bounds and upstream ports
 * @param connections the open sockets (closed with the proxy)
 * @param forwarder   how requests are sent upstream
 */
record Proxying(Upstream upstream, CertificateAuthority ca, EgressEvents events, EgressProxy.Options options,
                OpenConnections connections, RequestForwarder forwarder) {
}
