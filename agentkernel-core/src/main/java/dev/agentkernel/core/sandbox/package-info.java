/**
 * Sandboxes driven through the in-sandbox agent: {@link dev.agentkernel.core.sandbox.AgentSandbox}
 * (one running sandbox), and persistent named sandboxes ({@link dev.agentkernel.core.sandbox.SandboxManager})
 * with their store interface, host directories and records.
 */
package dev.agentkernel.core.sandbox;
