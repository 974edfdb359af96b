package dev.agentkernel.egress;

/** What the resolver, the proxy and the packet filter report; the daemon writes audit events from it. */
public interface EgressEvents {

    /** A query or connection was refused. */
    void refused(Refusal refusal);

    /**
     * A request carried a secret's placeholder to a host the secret is not granted for: it was
     * sent as it was (the placeholder, never the value).
     */
    void placeholderWithheld(String sandbox, String secret, String host);

    /** Events that go nowhere (tests, tools). */
    EgressEvents NONE = new EgressEvents() {
        @Override
        public void refused(Refusal refusal) {
        }

        @Override
        public void placeholderWithheld(String sandbox, String secret, String host) {
        }
    };
}
