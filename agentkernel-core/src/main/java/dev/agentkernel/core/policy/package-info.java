/**
 * What each security profile enforces, in one place: {@link dev.agentkernel.core.policy.PolicyResolver}
 * turns a {@link dev.agentkernel.model.SandboxRequest} into a fully resolved
 * {@link dev.agentkernel.model.SandboxSpec}.
 */
package dev.agentkernel.core.policy;
