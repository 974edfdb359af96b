/**
 * The JSON shapes of core's records as every interface shows them (the HTTP API and the MCP
 * tools), written in one place so that the two cannot drift apart.
 */
package dev.agentkernel.core.wire;
