/**
 * One command in one fresh sandbox, for every interface (HTTP, MCP, SDK): resolve the
 * request, bound concurrency, start, stream stages and output to a listener, return how it
 * ended. The CLI's {@code run} inherits its own descriptors instead and does not use this.
 */
package dev.agentkernel.core.run;
