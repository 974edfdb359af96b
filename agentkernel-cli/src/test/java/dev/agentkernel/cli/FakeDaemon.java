package dev.agentkernel.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A scripted stand-in for the daemon's HTTP API on a free loopback port (the JDK's
 * {@link HttpServer}): routes answer with canned JSON; every request is recorded. An unknown
 * route is the daemon's 404 {@code no_route}.
 */
final class FakeDaemon implements AutoCloseable {

    /** What a route answers to a request. */
    @FunctionalInterface
    interface Route {
        Response answer(Request request) throws IOException;
    }

    /** A received request. */
    record Request(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + (body.isEmpty() ? "" : " " + body);
        }
    }

    /** A status and a JSON body. */
    record Response(int status, String json) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeDaemon() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        requests.add(request);
        Route route = routes.get(request.method() + " " + request.path());
        Response response = route == null
                ? error(404, "no route for " + request.method() + " " + request.path(), "no_route")
                : route.answer(request);
        byte[] body = response.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    /** Answers {@code method path} with {@code route}. */
    FakeDaemon on(String method, String path, Route route) {
        routes.put(method + " " + path, route);
        return this;
    }

    /** Answers {@code method path} with {@code {"success": true, "data": DATA}}. */
    FakeDaemon data(String method, String path, String dataJson) {
        return on(method, path, r -> ok(dataJson));
    }

    static Response ok(String dataJson) {
        return new Response(200, "{\"success\":true,\"data\":" + dataJson + "}");
    }

    static Response error(int status, String message, String code) {
        return new Response(status, "{\"success\":false,\"error\":\"" + message + "\",\"code\":\"" + code + "\"}");
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The requests as {@code METHOD PATH [BODY]}. */
    List<String> calls() {
        return requests.stream().map(Request::toString).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
