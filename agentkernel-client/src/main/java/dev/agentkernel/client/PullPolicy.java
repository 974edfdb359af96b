package dev.agentkernel.client;

/** When a pull ({@link Images#pull(String, PullPolicy, ImagePullListener)}) asks the registry. */
public enum PullPolicy {
    /** Only when the image is not stored (the default). */
    MISSING("missing"),
    /** Always, for the tag's current manifest; only what is not stored is fetched. */
    ALWAYS("always"),
    /** Never: the stored image, else a {@link NotFoundException}. */
    NEVER("never");

    private final String id;

    PullPolicy(String id) {
        this.id = id;
    }

    /**
     * Its name on the wire.
     *
     * @return {@code missing}, {@code always} or {@code never}
     */
    public String id() {
        return id;
    }
}
