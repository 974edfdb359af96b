package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocket;

/**
 * The requests of one terminated TLS connection of a sandbox with secrets, read one after the
 * other (keep-alive) and sent on over TLS to the one host of the connection, with placeholders
 * replaced for the hosts their secret is granted for. Answers flow back as they come. A request
 * whose {@code Host} names another host is checked against the policy too (and the secrets must
 * cover both names).
 */
final class InterceptedSession {

    private final Proxying proxying;
    private final Tenant tenant;
    private final Authority destination;
    private final Placeholders placeholders;

    InterceptedSession(Proxying proxying, Tenant tenant, Authority destination) {
        this.proxying = proxying;
        this.tenant = tenant;
        this.destination = destination;
        this.placeholders = new Placeholders(tenant.secrets());
    }

    /** Serves until either side ends; closes both. */
    void run(SSLSocket front, SSLSocket back) throws IOException {
        Thread answers = Thread.ofVirtual().name("egress-answers").start(() -> {
            try {
                Relay.copyQuietly(back.getInputStream(), front.getOutputStream());
            } catch (IOException e) {
                // the connection is gone
            } finally {
                OpenConnections.quietlyClose(front);
            }
        });
        try {
            if (requests(front, back)) {
                Relay.endOutput(back);
                answers.join(proxying.options().clientTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            OpenConnections.quietlyClose(back);
            OpenConnections.quietlyClose(front);
        }
    }

    /** Forwards requests; true if the client ended cleanly (the last answer may still come), false after an error answer. */
    private boolean requests(SSLSocket front, SSLSocket back) throws IOException {
        HttpInput in = new HttpInput(front.getInputStream());
        OutputStream up = back.getOutputStream();
        OutputStream client = front.getOutputStream();
        while (true) {
            RequestHead head;
            String host = destination.host();
            try {
                head = RequestHead.read(in, RequestHead.MAX_HEAD);
                if (head == null) {
                    return true;
                }
                Optional<String> hostHeader = head.header("Host");
                if (hostHeader.isPresent()) {
                    host = Authority.parse(hostHeader.get(), destination.port()).host();
                }
            } catch (HttpProblem problem) {
                Answers.write(client, problem.status(), problem.getMessage() + "\n", null);
                return false;
            }
            if (!host.equals(destination.host())) {
                Authority named = new Authority(host, destination.port());
                Optional<Verdict.Refused> refused = Upstream.check(tenant, named);
                if (refused.isPresent()) {
                    proxying.events().refused(new Refusal(tenant.sandbox(), host, destination.port(), "tls", refused.get().rule()));
                    Answers.refused(client, host, destination.port(), refused.get().rule(), tenant.sandbox());
                    return false;
                }
            }
            Placeholders.Scope scope = host.equals(destination.host()) ? placeholders.scope(host)
                    : placeholders.scope(destination.host(), host);
            RequestHead sent = head.withoutH2cUpgrade().without("Proxy-Connection", "Proxy-Authorization");
            boolean upgrade = sent.isUpgrade();
            Set<String> withheld = new LinkedHashSet<>();
            try {
                proxying.forwarder().forward(sent, in, up, scope, withheld);
            } catch (HttpProblem problem) {
                Answers.write(client, problem.status(), problem.getMessage() + "\n", null);
                return false;
            } finally {
                String reported = host;
                withheld.forEach(secret -> proxying.events().placeholderWithheld(tenant.sandbox(), secret, reported));
            }
            if (upgrade) {
                Relay.copyQuietly(in, up);
                return true;
            }
        }
    }
}
