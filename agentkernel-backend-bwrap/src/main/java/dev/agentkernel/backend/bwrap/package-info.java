/**
 * The Linux-namespace backend: each sandbox is a bubblewrap ({@code bwrap}) process with
 * its own user, pid, mount, ipc, uts, cgroup and network namespaces, no capabilities,
 * no_new_privs, a seccomp filter, the host's {@code /usr} read-only, an allow-listed
 * {@code /etc}, and its own cgroup for limits. Network access, when allowed, goes through
 * slirp4netns in user mode, with the host's loopback unreachable.
 */
package dev.agentkernel.backend.bwrap;
