package dev.agentkernel.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAPI 3.1 document of the HTTP API, made from {@link ApiRoutes} and the records' schemas
 * ({@link JsonSchemas}): served at {@code GET /openapi.json}, so clients of any language can be
 * generated from it and nothing is documented that the server does not do.
 */
public final class OpenApi {

    private OpenApi() {
    }

    /** The document, for a server of {@code version}. */
    public static Map<String, Object> document(String version) {
        JsonSchemas.Components components = new JsonSchemas.Components();
        Map<String, Object> errorRef = components.schema(ErrorBody.class);
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ApiRoutes.Route route : ApiRoutes.all()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(route.openApiPath(),
                    p -> new LinkedHashMap<String, Object>());
            item.put(route.method().toLowerCase(Locale.ROOT), operation(route, components, errorRef));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("title", "AgentKernel HTTP API");
        info.put("version", version);
        info.put("description", "Run untrusted code in sandboxes: one-off runs, persistent sandboxes, code sessions, "
                + "background tasks. Every JSON answer is an envelope: {\"success\": true, \"data\": ...} or "
                + "{\"success\": false, \"error\": message, \"code\": kind}. Send the API key as "
                + "'Authorization: Bearer KEY' or 'X-API-Key: KEY'. Unknown request fields are ignored.");
        doc.put("info", info);
        doc.put("servers", List.of(Map.of("url", "http://127.0.0.1:18888")));
        doc.put("security", List.of(Map.of("bearer", List.of()), Map.of("apiKey", List.of())));
        doc.put("paths", paths);
        Map<String, Object> schemes = new LinkedHashMap<>();
        schemes.put("bearer", Map.of("type", "http", "scheme", "bearer"));
        schemes.put("apiKey", Map.of("type", "apiKey", "in", "header", "name", "X-API-Key"));
        Map<String, Object> comps = new LinkedHashMap<>();
        comps.put("schemas", new LinkedHashMap<>(components.named()));
        comps.put("securitySchemes", schemes);
        doc.put("components", comps);
        return doc;
    }

    private static Map<String, Object> operation(ApiRoutes.Route route, JsonSchemas.Components components,
                                                 Map<String, Object> errorRef) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", operationId(route));
        op.put("summary", route.summary());
        op.put("tags", List.of(tag(route)));
        if (route.path().equals("/health") || route.path().equals("/openapi.json")) {
            op.put("security", List.of());
        }
        List<Object> parameters = new ArrayList<>();
        for (String name : route.pathParameters()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", name);
            p.put("in", "path");
            p.put("required", true);
            p.put("schema", Map.of("type", "string"));
            if (route.path().contains("{+" + name + "}")) {
                p.put("description", "The rest of the path, slashes included");
            }
            parameters.add(p);
        }
        for (ApiRoutes.Query q : route.query()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", q.name());
            p.put("in", "query");
            p.put("required", false);
            p.put("description", q.description());
            p.put("schema", Map.of("type", q.type()));
            parameters.add(p);
        }
        if (!parameters.isEmpty()) {
            op.put("parameters", parameters);
        }
        ApiRoutes.Body request = route.request();
        Map<String, Object> requestContent = new LinkedHashMap<>();
        switch (request.kind()) {
            case JSON:
            case OPTIONAL_JSON:
                requestContent.put("application/json", Map.of("schema", components.schema(request.type())));
                break;
            case JSON_OR_BYTES:
                requestContent.put("application/json", Map.of("schema", components.schema(request.type())));
                requestContent.put("application/octet-stream", Map.of("schema", Map.of("type", "string",
                        "contentMediaType", "application/octet-stream")));
                break;
            case BYTES:
                requestContent.put("application/octet-stream", Map.of("schema", Map.of("type", "string",
                        "contentMediaType", "application/octet-stream")));
                break;
            case JSON_RPC:
                requestContent.put("application/json", Map.of("schema", Map.of("type", "object",
                        "description", "A JSON-RPC message of the MCP specification")));
                break;
            case NONE:
                break;
            default:
                throw new IllegalStateException("not a request kind: " + request.kind());
        }
        if (!requestContent.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("required", request.kind() != ApiRoutes.Kind.OPTIONAL_JSON);
            body.put("content", requestContent);
            op.put("requestBody", body);
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("description", route.summary());
        ApiRoutes.Body response = route.response();
        Map<String, Object> content = new LinkedHashMap<>();
        switch (response.kind()) {
            case ENVELOPE:
                content.put("application/json", Map.of("schema", envelope(components.schema(response.type()))));
                break;
            case ENVELOPE_OR_BYTES:
                content.put("application/json", Map.of("schema", envelope(components.schema(response.type()))));
                content.put("application/octet-stream", Map.of("schema", Map.of("type", "string",
                        "contentMediaType", "application/octet-stream")));
                break;
            case BARE_JSON:
                content.put("application/json", Map.of("schema", components.schema(response.type())));
                break;
            case EVENTS:
                content.put("text/event-stream", Map.of("schema", events(components, (Class<?>) response.type())));
                break;
            case ENVELOPE_OR_EVENTS:
                content.put("application/json", Map.of("schema", envelope(components.schema(response.type()))));
                content.put("text/event-stream", Map.of("schema", events(components, response.events())));
                break;
            case JSON_RPC:
                content.put("application/json", Map.of("schema", Map.of("type", "object")));
                content.put("text/event-stream", Map.of("schema", Map.of("type", "string")));
                break;
            case PROMETHEUS_TEXT:
                content.put("text/plain", Map.of("schema", Map.of("type", "string",
                        "description", "The Prometheus text exposition format, version 0.0.4")));
                break;
            case NONE:
                break;
            default:
                throw new IllegalStateException("not a response kind: " + response.kind());
        }
        if (!content.isEmpty()) {
            ok.put("content", content);
        }
        responses.put(String.valueOf(route.status()), ok);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("description", "An error: the envelope with the message and its code");
        error.put("content", Map.of("application/json", Map.of("schema", errorRef)));
        responses.put("default", error);
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> events(JsonSchemas.Components components, Class<?> sealed) {
        Map<String, Object> sse = new LinkedHashMap<>();
        sse.put("type", "string");
        sse.put("description", "Server-Sent Events: 'event: NAME' then 'data: JSON' (x-events gives each "
                + "event's data)");
        Map<String, Object> events = new LinkedHashMap<>();
        for (Class<?> event : sealed.getPermittedSubclasses()) {
            events.put(eventName(event), components.schema(event));
        }
        sse.put("x-events", events);
        return sse;
    }

    /** The SSE event name of an event record. */
    public static String eventName(Class<?> event) {
        return event.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static Map<String, Object> envelope(Map<String, Object> data) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("success", Map.of("type", "boolean", "const", true));
        properties.put("data", data);
        s.put("properties", properties);
        s.put("required", List.of("success", "data"));
        return s;
    }

    private static String tag(ApiRoutes.Route route) {
        String first = route.path().split("/")[1];
        switch (first) {
            case "run":
            case "batch":
                return "run";
            case "sandboxes":
            case "attach":
            case "audit":
                return "sandboxes";
            case "execute":
            case "sessions":
            case "stats":
            case "maintenance":
                return "sessions";
            default:
                return first.replace(".json", "");
        }
    }

    /** e.g. {@code POST /sandboxes/{name}/exec} → {@code postSandboxesExec}. */
    static String operationId(ApiRoutes.Route route) {
        StringBuilder b = new StringBuilder(route.method().toLowerCase(Locale.ROOT));
        boolean byParam = false;
        for (String segment : route.path().split("[/.]")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.startsWith("{")) {
                byParam = true;
                continue;
            }
            for (String word : segment.split("[-_]")) {
                b.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        if (byParam && route.path().endsWith("}")) {
            b.append("One");
        }
        return b.toString();
    }
}
