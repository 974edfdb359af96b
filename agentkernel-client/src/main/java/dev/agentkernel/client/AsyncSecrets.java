package dev.agentkernel.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The server's secrets without blocking ({@link AsyncAgentKernel#secrets()}); as {@link Secrets}. */
public final class AsyncSecrets {

    private final AsyncAgentKernel client;

    AsyncSecrets(AsyncAgentKernel client) {
        this.client = client;
    }

    /**
     * As {@link Secrets#set(String, String)}.
     *
     * @param name  its name
     * @param value its value
     * @return its name and dates
     */
    public CompletableFuture<SecretInfo> set(String name, String value) {
        return client.setSecret(name, value);
    }

    /**
     * As {@link Secrets#list()}.
     *
     * @return every secret's name and dates
     */
    public CompletableFuture<List<SecretInfo>> list() {
        return client.listSecrets();
    }

    /**
     * As {@link Secrets#get(String)}.
     *
     * @param name its name
     * @return the secret
     */
    public CompletableFuture<SecretInfo> get(String name) {
        return client.getSecret(name);
    }

    /**
     * As {@link Secrets#remove(String)}.
     *
     * @param name its name
     * @return completes when it is removed
     */
    public CompletableFuture<Void> remove(String name) {
        return client.removeSecret(name);
    }
}
