/**
 * The host-side egress proxy of sandboxes under a network policy
 * ({@link dev.agentkernel.egress.proxy.EgressProxy}): plain HTTP by {@code Host} or request target,
 * {@code CONNECT} tunnels, TLS by its server name ({@link dev.agentkernel.egress.proxy.SniReader}),
 * secrets put in place of their placeholders in requests it terminates with certificates of the
 * daemon's own authority ({@link dev.agentkernel.egress.proxy.CertificateAuthority}). JDK sockets and
 * virtual threads; BouncyCastle only to make certificates.
 */
package dev.agentkernel.egress.proxy;
