package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /secrets}: every secret's name and dates, by name; never values.
 *
 * @param secrets the secrets
 */
public record SecretList(List<SecretView> secrets) {
    public SecretList {
        secrets = Check.list(secrets, "secrets");
    }
}
