package dev.agentkernel.cli;

import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.server.RetentionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.commons.cli.CommandLine;

/**
 * How long {@code serve} keeps its audit log and finished tasks: the {@code [retention]} section
 * of {@code agentkernel.toml} ({@code audit_days}, {@code audit_max_events}, {@code task_days}),
 * overridden by {@code AGENTKERNEL_AUDIT_RETENTION_DAYS} / {@code AGENTKERNEL_AUDIT_MAX_EVENTS} /
 * {@code AGENTKERNEL_TASK_RETENTION_DAYS}, overridden by {@code --audit-retention-days} /
 * {@code --audit-max-events} / {@code --task-retention-days}. Package-private.
 */
final class RetentionOptions {
    static final String AUDIT_DAYS = "audit-retention-days";
    static final String AUDIT_MAX = "audit-max-events";
    static final String TASK_DAYS = "task-retention-days";

    private RetentionOptions() {
    }

    static RetentionConfig retention(CommandLine args, Map<String, String> env, Path cwd) {
        ProjectConfig.RetentionSection file = ExecutionOptions.config(args, cwd).retention();
        RetentionConfig config = RetentionConfig.defaults();
        OptionalDouble auditDays = days(args.getOptionValue(AUDIT_DAYS), "--" + AUDIT_DAYS,
                env.get("AGENTKERNEL_AUDIT_RETENTION_DAYS"), "AGENTKERNEL_AUDIT_RETENTION_DAYS", file.auditDays());
        if (auditDays.isPresent()) {
            config = config.withAuditMaxAge(ofDays(auditDays.getAsDouble()));
        }
        OptionalLong auditMax = count(args.getOptionValue(AUDIT_MAX), "--" + AUDIT_MAX,
                env.get("AGENTKERNEL_AUDIT_MAX_EVENTS"), "AGENTKERNEL_AUDIT_MAX_EVENTS", file.auditMaxEvents());
        if (auditMax.isPresent()) {
            config = config.withAuditMaxEvents(auditMax.getAsLong());
        }
        OptionalDouble taskDays = days(args.getOptionValue(TASK_DAYS), "--" + TASK_DAYS,
                env.get("AGENTKERNEL_TASK_RETENTION_DAYS"), "AGENTKERNEL_TASK_RETENTION_DAYS", file.taskDays());
        if (taskDays.isPresent()) {
            config = config.withTaskMaxAge(ofDays(taskDays.getAsDouble()));
        }
        return config;
    }

    private static Duration ofDays(double days) {
        return Duration.ofSeconds(Math.max(1, Math.round(days * 86_400)));
    }

    private static OptionalDouble days(String flag, String flagName, String env, String envName, OptionalDouble file) {
        String value = flag != null ? flag : env;
        String name = flag != null ? flagName : envName;
        if (value == null || value.isBlank()) {
            return file;
        }
        try {
            double days = Double.parseDouble(value.trim());
            if (days > 0 && days <= ProjectConfig.RetentionSection.MAX_DAYS) {
                return OptionalDouble.of(days);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException(name + " must be a positive number of days (at most "
                + (long) ProjectConfig.RetentionSection.MAX_DAYS + "), got '" + value + "'");
    }

    private static OptionalLong count(String flag, String flagName, String env, String envName, OptionalLong file) {
        String value = flag != null ? flag : env;
        String name = flag != null ? flagName : envName;
        if (value == null || value.isBlank()) {
            return file;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 1) {
                return OptionalLong.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException(name + " must be a whole number of at least 1, got '" + value + "'");
    }
}
