/**
 * Compiles a {@link dev.agentkernel.core.seccomp.SeccompPolicy} into a classic-BPF seccomp
 * program ({@link dev.agentkernel.core.seccomp.SeccompCompiler}) for one
 * {@link dev.agentkernel.core.seccomp.SeccompArch}, and stores it in a content-addressed file
 * ({@link dev.agentkernel.core.seccomp.SeccompFilterFile}) that bubblewrap loads with
 * {@code bwrap --seccomp FD}. Pure Java: no libseccomp, no native code.
 */
package dev.agentkernel.core.seccomp;
