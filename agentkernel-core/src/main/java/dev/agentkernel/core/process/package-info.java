/**
 * Supervision of a sandbox's host-side process: concurrent draining of stdout and stderr
 * on virtual threads, stdin forwarding, the wall-clock timeout with a SIGTERM grace period
 * then SIGKILL of the whole cgroup, OOM classification and guaranteed clean-up. Shared by
 * every backend that runs its sandbox as a child process.
 */
package dev.agentkernel.core.process;
