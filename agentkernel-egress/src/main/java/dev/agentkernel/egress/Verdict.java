package dev.agentkernel.egress;

/** Whether a destination is allowed by a sandbox's policy, and if not, which rule refused it. */
public sealed interface Verdict {

    /** Allowed. */
    record Allowed() implements Verdict {
    }

    /**
     * Refused.
     *
     * @param rule the rule that refused it, for the audit event and the message the program sees,
     *             e.g. {@code deny_domains: *.evil.example} or {@code not in allow_domains}
     */
    record Refused(String rule) implements Verdict {
    }

    /** The one {@link Allowed}. */
    Verdict ALLOWED = new Allowed();

    /** Whether this is {@link Allowed}. */
    default boolean allowed() {
        return this instanceof Allowed;
    }
}
