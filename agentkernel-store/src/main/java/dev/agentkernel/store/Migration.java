package dev.agentkernel.store;

import java.util.List;
import java.util.Objects;

/**
 * One step of the schema's history: the statements that bring a database from
 * {@code version - 1} to {@code version}.
 *
 * @param version     the {@code PRAGMA user_version} a database has once this step is applied
 * @param description what the step adds, for people reading the code
 * @param statements  SQL statements, run in order in the same transaction as the other pending steps
 */
record Migration(int version, String description, List<String> statements) {

    /** Validates and copies. */
    Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1, not " + version);
        }
        Objects.requireNonNull(description, "description");
        statements = List.copyOf(statements);
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("migration " + version + " has no statements");
        }
    }
}
