/**
 * The HTTP API of the product (document 003, wire-compatible with the published clients)
 * on Helidon WebServer with virtual threads. {@link dev.agentkernel.server.ApiServer} is the
 * entry point; routes, the JSON envelope, API keys, SSE and error mapping are each one
 * package-private class.
 */
package dev.agentkernel.server;
