/**
 * Immutable data shared by every layer of AgentKernel: what a sandbox should be
 * ({@link dev.agentkernel.model.SandboxSpec}), what to run in it
 * ({@link dev.agentkernel.model.CommandSpec}), how it ended
 * ({@link dev.agentkernel.model.Termination}), and the exception hierarchy rooted at
 * {@link dev.agentkernel.model.AgentKernelException}. Depends on the JDK only.
 */
package dev.agentkernel.model;
