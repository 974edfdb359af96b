package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The proxy's plain HTTP port: one request per connection. Origin-form requests (the sandbox's
 * port 80, redirected) go to their {@code Host}; absolute-form requests ({@code GET http://h/x},
 * explicit proxy use) to their target; {@code CONNECT h:p} opens a tunnel (TLS inside it is handled
 * as on the TLS port when the sandbox has secrets). Forwarded requests carry {@code Connection: close}.
 */
final class HttpFront {

    private final Proxying proxying;
    private final TlsFront tlsFront;

    HttpFront(Proxying proxying, TlsFront tlsFront) {
        this.proxying = proxying;
        this.tlsFront = tlsFront;
    }

    void serve(Socket client, Tenant tenant) throws IOException {
        client.setSoTimeout((int) proxying.options().clientTimeout().toMillis());
        HttpInput in = new HttpInput(client.getInputStream());
        OutputStream out = client.getOutputStream();
        RequestHead head;
        Authority destination;
        try {
            head = RequestHead.read(in, RequestHead.MAX_HEAD);
            if (head == null) {
                return;
            }
            destination = head.isMethod("CONNECT") ? Authority.parse(head.target(), 0) : destination(head);
        } catch (HttpProblem problem) {
            Answers.write(out, problem.status(), problem.getMessage() + "\n", null);
            return;
        }
        String protocol = head.isMethod("CONNECT") ? "connect" : "http";
        Optional<Socket> upstream = open(out, tenant, destination, protocol);
        if (upstream.isEmpty()) {
            return;
        }
        Socket up = upstream.get();
        try {
            client.setSoTimeout(0);
            if (head.isMethod("CONNECT")) {
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                tlsFront.tunnel(client, in, tenant, destination, up);
            } else {
                forward(client, in, tenant, destination, head, up);
            }
        } finally {
            proxying.connections().release(up);
        }
    }

    /**
     * The checked, connected upstream of {@code destination}; empty when the client was answered
     * instead (403 refused, 502 unknown or unreachable).
     */
    private Optional<Socket> open(OutputStream out, Tenant tenant, Authority destination, String protocol) throws IOException {
        Optional<Verdict.Refused> refused = Upstream.check(tenant, destination);
        if (refused.isPresent()) {
            refuse(out, tenant, destination, protocol, refused.get().rule());
            return Optional.empty();
        }
        try {
            return Optional.of(proxying.connections().hold(proxying.upstream().connect(tenant, destination)));
        } catch (Upstream.Refused e) {
            refuse(out, tenant, destination, protocol, e.rule());
        } catch (UnknownHostException e) {
            Answers.write(out, 502, "AgentKernel egress proxy: " + destination.host() + " has no address for sandbox "
                    + tenant.sandbox() + "\n", null);
        } catch (IOException e) {
            Answers.write(out, 502, "AgentKernel egress proxy: " + e.getMessage() + "\n", null);
        }
        return Optional.empty();
    }

    private void refuse(OutputStream out, Tenant tenant, Authority destination, String protocol, String rule) throws IOException {
        proxying.events().refused(new Refusal(tenant.sandbox(), destination.host(), destination.port(), protocol, rule));
        Answers.refused(out, destination.host(), destination.port(), rule, tenant.sandbox());
    }

    /** One request to a plain HTTP upstream, then its answer back until the upstream closes. */
    private void forward(Socket client, HttpInput in, Tenant tenant, Authority destination, RequestHead head, Socket up)
            throws IOException {
        RequestHead sent = head.withoutH2cUpgrade().without("Proxy-Connection", "Proxy-Authorization", "Keep-Alive");
        boolean upgrade = sent.isUpgrade();
        if (!head.target().startsWith("/") && !head.target().equals("*")) {
            sent = sent.withTarget(originForm(head.target())).with("Host", hostHeader(destination));
        }
        if (!upgrade) {
            sent = sent.with("Connection", "close");
        }
        Placeholders placeholders = new Placeholders(tenant.secrets());
        Set<String> withheld = new LinkedHashSet<>();
        try {
            proxying.forwarder().forward(sent, in, up.getOutputStream(), placeholders.scope(destination.host()), withheld);
        } catch (HttpProblem problem) {
            Answers.write(client.getOutputStream(), problem.status(), problem.getMessage() + "\n", null);
            return;
        } finally {
            withheld.forEach(secret -> proxying.events().placeholderWithheld(tenant.sandbox(), secret, destination.host()));
        }
        if (upgrade) {
            Relay.both(client, in, up);
        } else {
            Relay.copyQuietly(up.getInputStream(), client.getOutputStream());
        }
    }

    /** Where a request that is not CONNECT goes: its absolute-form target, else its {@code Host}. */
    private Authority destination(RequestHead head) throws HttpProblem {
        String target = head.target();
        int defaultPort = proxying.options().httpUpstreamPort();
        if (target.startsWith("/") || target.equals("*")) {
            if (head.count("Host") != 1) {
                throw new HttpProblem(400, "a request needs exactly one Host header (or an absolute target: GET http://host/path)");
            }
            return Authority.parse(head.header("Host").orElseThrow(), defaultPort);
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            throw new HttpProblem(400, "use CONNECT for https:// targets through this proxy");
        }
        if (!lower.startsWith("http://")) {
            throw new HttpProblem(400, "the request target is neither /path nor http://host/path");
        }
        String rest = target.substring("http://".length());
        int end = firstOf(rest, "/?#");
        String authority = rest.substring(0, end);
        if (authority.contains("@")) {
            throw new HttpProblem(400, "user information in the request target is not accepted");
        }
        return Authority.parse(authority, 80);
    }

    private static String originForm(String absolute) {
        String rest = absolute.substring("http://".length());
        int end = firstOf(rest, "/?#");
        String path = rest.substring(end);
        int hash = path.indexOf('#');
        path = hash < 0 ? path : path.substring(0, hash);
        return path.isEmpty() ? "/" : path.startsWith("?") ? "/" + path : path;
    }

    private static String hostHeader(Authority destination) {
        return destination.port() == 80 ? destination.host() : destination.toString();
    }

    private static int firstOf(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
