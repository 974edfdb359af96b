/**
 * Durable state on one SQLite file: {@link dev.agentkernel.store.Database} opens it and keeps
 * its schema current, {@link dev.agentkernel.store.SqliteSandboxStore} keeps persistent
 * sandboxes and {@link dev.agentkernel.store.SqliteAuditLog} the audit log.
 */
package dev.agentkernel.store;
