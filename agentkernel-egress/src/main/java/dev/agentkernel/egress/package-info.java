/**
 * Egress control on the host: which destinations a sandbox under a
 * {@link dev.agentkernel.model.NetworkPolicy} may reach ({@link dev.agentkernel.egress.EgressRules}),
 * the resolver that answers its DNS, the proxy that checks its HTTP and TLS connections by name and
 * replaces secrets' placeholders, and the events of what they refused. Nothing here knows a
 * backend or the packet filter: they find the sandbox behind a connection through
 * {@link dev.agentkernel.egress.Tenants} and report addresses they let through to
 * {@link dev.agentkernel.egress.AllowedDestinations}.
 */
package dev.agentkernel.egress;
