/**
 * The isolation backend SPI. A backend is discovered through {@link java.util.ServiceLoader}
 * as a {@link dev.agentkernel.core.backend.BackendProvider}; it probes whether it can run
 * on this host, and {@link dev.agentkernel.core.backend.BackendSelector} picks the one
 * configured or the best available. A backend turns a resolved
 * {@link dev.agentkernel.model.SandboxSpec} and a command into a running
 * {@link dev.agentkernel.core.backend.Execution}.
 */
package dev.agentkernel.core.backend;
