/**
 * The warm pool: agent sandboxes started ahead of demand per image and profile, each used for
 * exactly one request and then destroyed, refilled in the background.
 */
package dev.agentkernel.core.pool;
