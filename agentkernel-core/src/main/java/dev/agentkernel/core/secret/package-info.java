/**
 * The daemon's secrets (issue 16): values stored encrypted at rest ({@link
 * dev.agentkernel.core.secret.SecretCipher}, AES-256-GCM with a key in {@code STATE/secrets.key},
 * outside the database: {@link dev.agentkernel.core.secret.SecretKeyFile}), managed by {@link
 * dev.agentkernel.core.secret.SecretManager} (set, list, remove; values are never shown), and
 * granted to sandboxes for given hosts: {@link dev.agentkernel.core.secret.SecretBindings} reads a
 * create request's {@code secrets} and {@code secret_files}, {@link
 * dev.agentkernel.core.secret.SecretGrants} turns them into the egress proxy's grants, each with a
 * placeholder of its own that the sandbox sees instead of the value.
 */
package dev.agentkernel.core.secret;
