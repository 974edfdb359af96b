/**
 * The in-sandbox agent and its client. {@code ak-agent} is a small static C program
 * ({@code src/main/c/ak-agent.c}, shipped in this jar as {@code dev/agentkernel/agent/ak-agent-<os.arch>})
 * that runs as a long-lived sandbox's command, so that every exec, file operation and terminal
 * goes through a process that already carries all of the sandbox's restrictions, and every path
 * is resolved in the sandbox's own mount namespace.
 *
 * <ul>
 *   <li>{@link dev.agentkernel.agent.AgentBinary} puts the binary for this architecture into a directory
 *       that a backend can mount into the sandbox;</li>
 *   <li>{@link dev.agentkernel.agent.AgentProtocol} is the framed, multiplexed wire protocol;</li>
 *   <li>{@link dev.agentkernel.agent.AgentConnection} speaks it over the agent process's stdin/stdout and
 *       offers a blocking API: {@link dev.agentkernel.agent.AgentConnection#exec exec} (returning an
 *       {@link dev.agentkernel.agent.ExecHandle}), file reads, writes, deletes, stat and ping.</li>
 * </ul>
 *
 * Depends on {@code agentkernel-model} and the JDK only.
 */
package dev.agentkernel.agent;
