/**
 * The host-side DNS resolver of sandboxes under a {@link dev.agentkernel.model.NetworkPolicy}:
 * {@link dev.agentkernel.egress.dns.EgressResolver} (the only public type; the rest are its
 * package-private parts: one query's answer, the lookup through extra hosts and upstream, the
 * UDP and TCP sockets, the audit allowance, the per-sandbox slots and cache). DNS messages are
 * read and written with dnsjava.
 */
package dev.agentkernel.egress.dns;
