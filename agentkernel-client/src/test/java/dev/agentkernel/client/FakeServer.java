package dev.agentkernel.client;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted HTTP server on a free loopback port (the JDK's {@link HttpServer}): routes answer
 * with canned responses; every request is recorded with its raw path, headers and body.
 */
final class FakeServer implements AutoCloseable {

    /** What a route does with a request. */
    @FunctionalInterface
    interface Route {
        void handle(Call call) throws IOException;
    }

    /** A received request, recorded. */
    record Request(String method, String rawPath, String rawQuery, Headers headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** One exchange in progress. */
    static final class Call {
        final Request request;
        final HttpExchange exchange;

        Call(Request request, HttpExchange exchange) {
            this.request = request;
            this.exchange = exchange;
        }

        void json(int status, String body) throws IOException {
            send(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
        }

        /** {@code {"success":true,"data":DATA}} with 200. */
        void data(String dataJson) throws IOException {
            json(200, "{\"success\":true,\"data\":" + dataJson + "}");
        }

        void send(int status, String contentType, byte[] body) throws IOException {
            if (contentType != null) {
                exchange.getResponseHeaders().set("Content-Type", contentType);
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        /** Starts a chunked {@code text/event-stream} response; write frames to the stream returned. */
        OutputStream events() throws IOException {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            return exchange.getResponseBody();
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Failures of routes (e.g. a write to a client that left), in order. */
    final BlockingQueue<Throwable> routeFailures = new LinkedBlockingQueue<>();

    FakeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(),
                    exchange.getRequestBody().readAllBytes());
            requests.add(request);
            Route route = routes.get(request.method() + " " + request.rawPath());
            try {
                if (route == null) {
                    new Call(request, exchange).json(404, "{\"success\":false,\"error\":\"no route for "
                            + request.method() + " " + request.rawPath() + "\"}");
                } else {
                    route.handle(new Call(request, exchange));
                }
            } catch (IOException | RuntimeException e) {
                routeFailures.add(e);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** Answers {@code method rawPath} with {@code route}. */
    FakeServer on(String method, String rawPath, Route route) {
        routes.put(method + " " + rawPath, route);
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A blocking client of this server with no environment and {@code key} (null: none). */
    AgentKernel client(String key) {
        return AgentKernel.builder().environment(Map.of()).baseUrl(baseUrl()).apiKey(key)
                .timeout(java.time.Duration.ofSeconds(5)).build();
    }

    AsyncAgentKernel asyncClient() {
        return AsyncAgentKernel.builder().environment(Map.of()).baseUrl(baseUrl())
                .timeout(java.time.Duration.ofSeconds(5)).build();
    }

    Request last() {
        if (requests.isEmpty()) {
            throw new AssertionError("no request reached the fake server");
        }
        return requests.getLast();
    }

    /** The first route failure within {@code millis}, or null. */
    Throwable awaitRouteFailure(long millis) throws InterruptedException {
        return routeFailures.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
