/** Facts about the host AgentKernel runs on and the directories it owns there. */
package dev.agentkernel.core.host;
