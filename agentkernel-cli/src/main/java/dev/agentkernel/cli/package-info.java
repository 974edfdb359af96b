/**
 * The {@code agentkernel} command line. {@link dev.agentkernel.cli.Main} parses with Apache
 * Commons CLI; each subcommand is one class. {@code run}, {@code serve}, {@code daemon} and
 * {@code doctor} work on this machine; the sandbox commands ({@code create} ... {@code status},
 * {@link dev.agentkernel.cli.DaemonClientCommand}) talk to a running daemon through the SDK
 * ({@code agentkernel-client}), found by {@link dev.agentkernel.cli.DaemonEndpoint}.
 * {@link dev.agentkernel.cli.ExitCodes} maps every error (the core's and the SDK's exceptions)
 * to one exit code and one line on stderr, so no stack trace ever reaches a user.
 */
package dev.agentkernel.cli;
