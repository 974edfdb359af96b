package dev.agentkernel.egress.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The answers the proxy itself gives a client: refusals, bad requests, unreachable hosts. Each closes the connection. */
final class Answers {

    /** The header that names the rule of a refusal. */
    static final String POLICY_HEADER = "X-AgentKernel-Policy";

    private Answers() {
    }

    /** The text of a refusal, as the program sees it. */
    static String refusalText(String host, int port, String rule, String sandbox) {
        return "AgentKernel network policy refused " + host + ":" + port + " (" + rule + ") for sandbox " + sandbox + "\n";
    }

    /** 403 for a destination the policy refuses. */
    static void refused(OutputStream out, String host, int port, String rule, String sandbox) throws IOException {
        write(out, 403, refusalText(host, port, rule, sandbox), rule);
    }

    /** An answer of {@code status} with {@code text} as its body. */
    static void write(OutputStream out, int status, String text, String policyRule) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        if (policyRule != null) {
            head.append(POLICY_HEADER).append(": ").append(policyRule.replaceAll("[^\\x20-\\x7e]", "?")).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }
}
