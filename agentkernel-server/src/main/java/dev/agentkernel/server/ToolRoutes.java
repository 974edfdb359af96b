package dev.agentkernel.server;

import dev.agentkernel.core.wire.WireJson;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.core.tools.ToolLibrary;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Tool discovery: {@code GET /tools[?query=words]} and {@code DELETE /tools/cache}. Package-private. */
final class ToolRoutes {

    private final ToolLibraries tools;

    ToolRoutes(ToolLibraries tools) {
        this.tools = tools;
    }

    void search(ServerRequest req, ServerResponse res) {
        String query = req.query().first("query").orElse("");
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("tools_dir", tools.dir().map(Object::toString).orElse(null));
        ArrayNode libraries = data.putArray("libraries");
        tools.search(query).forEach(l -> libraries.add(toJson(l)));
        SandboxRoutes.send(res, 200, data);
    }

    void clearCache(ServerRequest req, ServerResponse res) {
        tools.clearCache();
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("cleared", true);
        SandboxRoutes.send(res, 200, data);
    }

    static ObjectNode toJson(ToolLibrary l) {
        return WireJson.toolLibrary(l);
    }
}
