package dev.agentkernel.server;

import dev.agentkernel.api.ApiRoutes;
import java.util.List;
import java.util.Optional;

/**
 * Which route of {@link ApiRoutes} a request's method and path address, matched as the server's
 * routing does (in the table's order; {@code {name}} one segment, {@code {+path}} one or more):
 * the label of access log lines and of {@code agentkernel_http_requests}, so that no raw path
 * (sandbox names, file paths) becomes a label value. Immutable.
 */
final class RouteTemplates {

    /** The label of a request that addresses no route. */
    static final String UNMATCHED = "unmatched";
    private final List<ApiRoutes.Route> routes;

    RouteTemplates(List<ApiRoutes.Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The route {@code method path} addresses, if any. */
    Optional<ApiRoutes.Route> match(String method, String path) {
        String[] segments = split(path);
        for (ApiRoutes.Route route : routes) {
            if (route.method().equals(method) && matches(split(route.path()), segments)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** The method label: one the API has, else {@code other}. */
    static String methodLabel(String method) {
        return switch (method) {
            case "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH" -> method;
            default -> "other";
        };
    }

    private static boolean matches(String[] template, String[] path) {
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{+")) {
                return path.length > i && !String.join("/", java.util.Arrays.copyOfRange(path, i, path.length)).isEmpty();
            }
            if (i >= path.length) {
                return false;
            }
            if (t.startsWith("{")) {
                if (path[i].isEmpty()) {
                    return false;
                }
            } else if (!t.equals(path[i])) {
                return false;
            }
        }
        return template.length == path.length;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
