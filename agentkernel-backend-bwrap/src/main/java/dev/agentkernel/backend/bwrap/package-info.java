/**
 * The Linux-namespace backend: each sandbox is a bubblewrap ({@code bwrap}) process with
 * its own pid, mount, ipc, uts, cgroup and network namespaces, no capabilities,
 * no_new_privs, a seccomp filter, the host's {@code /usr} read-only, an allow-listed
 * {@code /etc}, and its own cgroup for limits. It shares the host's user namespace (uid 0
 * without capabilities; a user namespace made bubblewrap's and slirp4netns's network
 * set-up race): the seccomp filter refuses every way to create namespaces and to create
 * set-user/group-ID files, so host-mounted directories never receive a setuid program. Network access, when allowed, goes through
 * slirp4netns in user mode, with the host's loopback unreachable.
 */
package dev.agentkernel.backend.bwrap;
