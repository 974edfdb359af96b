/**
 * Resource limits through Linux control groups, v1 (per-controller hierarchies, as on
 * hybrid hosts) and v2 (unified). {@link dev.agentkernel.core.cgroup.CgroupDriver#detect}
 * picks the right driver; a {@link dev.agentkernel.core.cgroup.SandboxCgroup} is one
 * sandbox's group: limits, membership, OOM detection, kill, removal.
 */
package dev.agentkernel.core.cgroup;
