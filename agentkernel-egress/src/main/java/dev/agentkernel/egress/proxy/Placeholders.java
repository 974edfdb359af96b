package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.model.SecretGrant;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The secrets of one sandbox as the proxy applies them to requests: which grants cover a host,
 * and the replacement of placeholders by values in header values and bodies. Header values are
 * handled as the bytes they are (ISO-8859-1 strings); placeholders and values are put in as
 * their UTF-8 bytes. Nothing here logs or throws with a value in it.
 */
final class Placeholders {

    private final List<SecretGrant> grants;

    Placeholders(List<SecretGrant> grants) {
        this.grants = grants.stream().filter(g -> !g.placeholder().isEmpty()).toList();
    }

    /** Whether the sandbox has any secret (then every HTTPS connection it makes is intercepted). */
    boolean any() {
        return !grants.isEmpty();
    }

    /**
     * The grants that cover a request to {@code hosts} (every one of them: the connection's host
     * and the {@code Host} header's, when they differ), and the others.
     */
    Scope scope(String... hosts) {
        List<SecretGrant> covered = new ArrayList<>();
        List<SecretGrant> others = new ArrayList<>();
        for (SecretGrant grant : grants) {
            boolean all = hosts.length > 0;
            for (String host : hosts) {
                all &= EgressRules.matches(host, grant.hosts());
            }
            (all ? covered : others).add(grant);
        }
        return new Scope(covered, others);
    }

    /**
     * What applies to one request.
     *
     * @param covered the grants whose values go in place of their placeholders
     * @param others  the grants whose placeholders are only noticed (and reported as withheld)
     */
    record Scope(List<SecretGrant> covered, List<SecretGrant> others) {

        /** Whether bodies must be read whole and rewritten. */
        boolean rewritesBody() {
            return covered.stream().anyMatch(SecretGrant::body);
        }

        /** Whether bodies must be scanned for placeholders of grants that do not cover the host. */
        boolean scansBody() {
            return !others.isEmpty();
        }

        /**
         * The head with the covered grants' placeholders replaced in every header value and their
         * headers set; the names of other grants whose placeholders it carries are added to {@code withheld}.
         *
         * @throws HttpProblem 502 if a covered grant's value could not be a header value (a line break: it would add headers)
         */
        RequestHead rewrite(RequestHead head, Set<String> withheld) throws HttpProblem {
            for (SecretGrant grant : covered) {
                if (grant.value().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    throw new HttpProblem(502, "secret " + grant.name() + " cannot be put in a request header: its value has a "
                            + "line break or NUL");
                }
            }
            List<RequestHead.Header> out = new ArrayList<>(head.headers().size());
            for (RequestHead.Header h : head.headers()) {
                String value = h.value();
                for (SecretGrant grant : covered) {
                    value = value.replace(latin1(grant.placeholder()), latin1(grant.value()));
                }
                for (SecretGrant grant : others) {
                    if (value.contains(latin1(grant.placeholder()))) {
                        withheld.add(grant.name());
                    }
                }
                out.add(new RequestHead.Header(h.name(), value));
            }
            RequestHead rewritten = head.withHeaders(out);
            for (SecretGrant grant : covered) {
                if (grant.header().isPresent()) {
                    rewritten = rewritten.with(grant.header().get(), latin1(grant.value()));
                }
            }
            return rewritten;
        }

        /** The body with the placeholders of covered grants that allow it replaced. */
        byte[] rewriteBody(byte[] body) {
            byte[] out = body;
            for (SecretGrant grant : covered) {
                if (grant.body()) {
                    out = replaceAll(out, utf8(grant.placeholder()), utf8(grant.value()));
                }
            }
            return out;
        }

        /** A scanner for the placeholders of the grants that do not cover the host. */
        BodyScanner scanner() {
            return new BodyScanner(others);
        }
    }

    /** Finds placeholders in a body that arrives in pieces (a placeholder may span two pieces). */
    static final class BodyScanner {

        private final List<SecretGrant> grants;
        private final List<byte[]> patterns;
        private final Set<String> found = new LinkedHashSet<>();
        private byte[] tail = new byte[0];
        private final int keep;

        BodyScanner(List<SecretGrant> grants) {
            this.grants = grants;
            this.patterns = grants.stream().map(g -> utf8(g.placeholder())).toList();
            this.keep = patterns.stream().mapToInt(p -> p.length - 1).max().orElse(0);
        }

        /** Looks at the next piece. */
        void feed(byte[] data, int off, int len) {
            if (grants.isEmpty() || len <= 0) {
                return;
            }
            byte[] window = new byte[tail.length + len];
            System.arraycopy(tail, 0, window, 0, tail.length);
            System.arraycopy(data, off, window, tail.length, len);
            for (int i = 0; i < patterns.size(); i++) {
                if (indexOf(window, patterns.get(i), 0) >= 0) {
                    found.add(grants.get(i).name());
                }
            }
            tail = Arrays.copyOfRange(window, Math.max(0, window.length - keep), window.length);
        }

        /** The names of the grants whose placeholders were seen. */
        Set<String> found() {
            return found;
        }
    }

    static byte[] replaceAll(byte[] data, byte[] from, byte[] to) {
        int at = indexOf(data, from, 0);
        if (at < 0) {
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + Math.max(0, to.length - from.length) * 4);
        int start = 0;
        while (at >= 0) {
            out.write(data, start, at - start);
            out.writeBytes(to);
            start = at + from.length;
            at = indexOf(data, from, start);
        }
        out.write(data, start, data.length - start);
        return out.toByteArray();
    }

    static int indexOf(byte[] data, byte[] pattern, int from) {
        if (pattern.length == 0) {
            return -1;
        }
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The UTF-8 bytes of {@code text} as an ISO-8859-1 string (one char per byte), as header values are held. */
    static String latin1(String text) {
        return new String(utf8(text), StandardCharsets.ISO_8859_1);
    }
}
