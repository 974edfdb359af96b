package dev.agentkernel.egress;

import java.util.Objects;

/**
 * One refused query or connection, for the audit log ({@code policy_violation}).
 *
 * @param sandbox     the sandbox
 * @param destination the name or address it tried to reach
 * @param port        the destination port; 0 for a DNS query
 * @param protocol    how it tried: {@code dns}, {@code http}, {@code tls}, {@code connect}, {@code tcp}, {@code udp}
 * @param rule        the rule that refused it
 */
public record Refusal(String sandbox, String destination, int port, String protocol, String rule) {

    /** Validates. */
    public Refusal {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(rule, "rule");
    }
}
