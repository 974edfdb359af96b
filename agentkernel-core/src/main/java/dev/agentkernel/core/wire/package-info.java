/** Core's state as the wire contract's records ({@code agentkernel-api}): {@link dev.agentkernel.core.wire.WireViews}. */
package dev.agentkernel.core.wire;
