/**
 * The {@code agentkernel} command line. {@link dev.agentkernel.cli.Main} wires picocli;
 * each subcommand is one class; {@link dev.agentkernel.cli.ExitCodes} maps every
 * {@link dev.agentkernel.model.AgentKernelException} to one exit code and one line on
 * stderr, so no stack trace ever reaches a user.
 */
package dev.agentkernel.cli;
