/**
 * AgentKernel's MCP tools on the official MCP Java SDK: the catalog ({@link dev.agentkernel.mcp.ToolCatalog}:
 * background tasks, code sessions, sandboxes, tool discovery, images) over the in-process services
 * ({@link dev.agentkernel.mcp.McpServices}), argument validation, results and the one mapping of
 * errors to error results ({@link dev.agentkernel.mcp.ToolErrors}). The transports live with their
 * hosts: streamable HTTP in the server module, stdio in the CLI.
 */
package dev.agentkernel.mcp;
