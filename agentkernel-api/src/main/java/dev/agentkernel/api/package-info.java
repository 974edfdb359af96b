/**
 * The wire contract of AgentKernel, declared once: every request, response and event of the HTTP
 * API (and the MCP tools' structured results) as an immutable record that validates itself
 * ({@link dev.agentkernel.api.BadRequestException} with an {@link dev.agentkernel.api.ErrorCode}),
 * the JSON mapping ({@link dev.agentkernel.api.WireJson}), the routes ({@link dev.agentkernel.api.ApiRoutes})
 * and the OpenAPI 3.1 document and JSON Schemas made from them ({@link dev.agentkernel.api.OpenApi},
 * {@link dev.agentkernel.api.JsonSchemas}). Used by the server, the MCP tools and the Java SDK alike.
 * JDK and Jackson only; compiled for Java 17.
 */
package dev.agentkernel.api;
