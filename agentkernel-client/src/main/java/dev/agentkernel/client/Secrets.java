package dev.agentkernel.client;

import java.util.List;

/**
 * The server's secrets ({@link AgentKernel#secrets()}): one verb per action. Values go one way:
 * they are set, never read back; a sandbox a secret is granted to sees only a placeholder, which
 * the server's proxy replaces in requests to the hosts the secret is granted for.
 *
 * {@snippet :
 * client.secrets().set("OPENAI_API_KEY", System.getenv("OPENAI_API_KEY"));
 * client.secrets().list().forEach(s -> System.out.println(s.name() + " " + s.updatedAt()));
 * client.secrets().remove("OPENAI_API_KEY");
 * }
 */
public final class Secrets {

    private final AgentKernel client;

    Secrets(AgentKernel client) {
        this.client = client;
    }

    /**
     * Sets a secret: creates it, or replaces its value.
     *
     * @param name  an environment variable's name, e.g. {@code OPENAI_API_KEY}
     * @param value its value (not empty, at most 64 KiB)
     * @return its name and dates
     * @throws ValidationException for a bad name or value
     */
    public SecretInfo set(String name, String value) {
        return client.setSecret(name, value);
    }

    /**
     * Lists them.
     *
     * @return every secret's name and dates, by name
     */
    public List<SecretInfo> list() {
        return client.listSecrets();
    }

    /**
     * One secret's name and dates.
     *
     * @param name its name
     * @return the secret (never its value)
     * @throws NotFoundException if there is none of that name
     */
    public SecretInfo get(String name) {
        return client.getSecret(name);
    }

    /**
     * Removes a secret.
     *
     * @param name its name
     * @throws NotFoundException if there is none of that name
     */
    public void remove(String name) {
        client.removeSecret(name);
    }
}
