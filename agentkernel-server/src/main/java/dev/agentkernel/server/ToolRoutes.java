package dev.agentkernel.server;

import dev.agentkernel.api.CacheCleared;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.core.wire.WireViews;
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
        Json.send(res, 200, WireViews.tools(tools.dir(), tools.search(query)));
    }

    void clearCache(ServerRequest req, ServerResponse res) {
        tools.clearCache();
        Json.send(res, 200, new CacheCleared(true));
    }
}
