/**
 * Stateful code sessions, first layer: the interpreter drivers (Python, Node, bash programs
 * shipped as resources) that keep a session's state between requests, and
 * {@link dev.agentkernel.core.session.DriverConnection}, the host side of their one-JSON-line
 * protocol. Running a driver inside a sandbox, the session registry, flavors, limits and
 * expiry come next (issue 6).
 */
package dev.agentkernel.core.session;
