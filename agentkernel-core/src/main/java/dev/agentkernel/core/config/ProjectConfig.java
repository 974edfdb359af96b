package dev.agentkernel.core.config;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The settings of a project's {@code agentkernel.toml}, one record per section. Every
 * setting is optional: an absent one is empty, and the caller applies its own default.
 * Built by {@link ConfigLoader}, which reports bad values with the file and key; the
 * records re-check the same bounds so that no invalid configuration can exist.
 *
 * @param sandbox   the {@code [sandbox]} section
 * @param agent     the {@code [agent]} section
 * @param resources the {@code [resources]} section
 * @param security  the {@code [security]} section
 * @param execution the {@code [execution]} section (background tasks and code sessions on a daemon)
 * @param retention the {@code [retention]} section (how long a daemon keeps its audit log and finished tasks)
 * @param network   the {@code [network]} section: the sandboxes' network policy
 */
public record ProjectConfig(SandboxSection sandbox, AgentSection agent, ResourcesSection resources,
                            SecuritySection security, ExecutionSection execution, RetentionSection retention,
                            dev.agentkernel.model.NetworkPolicy network) {

    /** A configuration without a network policy. */
    public ProjectConfig(SandboxSection sandbox, AgentSection agent, ResourcesSection resources,
                         SecuritySection security, ExecutionSection execution, RetentionSection retention) {
        this(sandbox, agent, resources, security, execution, retention, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** Requires every section (use the sections' {@code empty()} for absent ones). */
    public ProjectConfig {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(network, "network");
    }

    /** The configuration without its {@code [retention]} section. */
    public ProjectConfig(SandboxSection sandbox, AgentSection agent, ResourcesSection resources, SecuritySection security,
                         ExecutionSection execution) {
        this(sandbox, agent, resources, security, execution, RetentionSection.empty());
    }

    /** The configuration without its {@code [execution]} section (for the four project sections only). */
    public ProjectConfig(SandboxSection sandbox, AgentSection agent, ResourcesSection resources, SecuritySection security) {
        this(sandbox, agent, resources, security, ExecutionSection.empty());
    }

    /** The configuration with nothing set: what an empty file, or no file, means. */
    public static ProjectConfig empty() {
        return new ProjectConfig(SandboxSection.empty(), AgentSection.empty(), ResourcesSection.empty(),
                SecuritySection.empty(), ExecutionSection.empty(), RetentionSection.empty());
    }

    /**
     * The {@code [sandbox]} section.
     *
     * @param name      {@code name}: the sandbox name to use for this project
     * @param baseImage {@code base_image}: the image to start from when nothing else is detected
     * @param backend   {@code backend}: the isolation backend ({@code bwrap}, {@code runc}, {@code gvisor})
     */
    public record SandboxSection(Optional<String> name, Optional<String> baseImage, Optional<String> backend) {

        /** The section without a backend. */
        public SandboxSection(Optional<String> name, Optional<String> baseImage) {
            this(name, baseImage, Optional.empty());
        }

        /** Requires non-blank values. @throws InvalidRequestException for a blank name or image */
        public SandboxSection {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(baseImage, "baseImage");
            Objects.requireNonNull(backend, "backend");
            backend.ifPresent(dev.agentkernel.model.SandboxRequest::requireBackendName);
            if (name.filter(String::isBlank).isPresent()) {
                throw new InvalidRequestException("sandbox name must not be blank: give a name such as \"my-project\"");
            }
            if (baseImage.filter(String::isBlank).isPresent()) {
                throw new InvalidRequestException("base image must not be blank: give an image such as \"python:3.12-alpine\"");
            }
        }

        /** The section with nothing set. */
        public static SandboxSection empty() {
            return new SandboxSection(Optional.empty(), Optional.empty());
        }
    }

    /**
     * The {@code [agent]} section.
     *
     * @param preferred {@code preferred}: the agent this project prefers
     */
    public record AgentSection(Optional<AgentKind> preferred) {

        /** Requires a non-null optional. */
        public AgentSection {
            Objects.requireNonNull(preferred, "preferred");
        }

        /** The section with nothing set. */
        public static AgentSection empty() {
            return new AgentSection(Optional.empty());
        }
    }

    /**
     * The {@code [resources]} section.
     *
     * @param vcpus    {@code vcpus}: CPU limit in cores, integer or decimal, at least {@value #MIN_VCPUS}
     * @param memoryMb {@code memory_mb}: memory limit in MiB, an integer, at least {@value #MIN_MEMORY_MB}
     * @param diskMb   {@code disk_mb}: size of a persistent sandbox's disk in MiB, a positive integer (the
     *                 daemon checks its bounds)
     */
    public record ResourcesSection(OptionalDouble vcpus, OptionalLong memoryMb, OptionalLong diskMb) {

        /** Smallest accepted {@code vcpus}, the same as {@link ResourceLimits}'. */
        public static final double MIN_VCPUS = 0.01;
        /** Smallest accepted {@code memory_mb}, the same as {@link ResourceLimits#MIN_MEMORY_MB}. */
        public static final long MIN_MEMORY_MB = ResourceLimits.MIN_MEMORY_MB;

        /** Checks the bounds. @throws InvalidRequestException for a limit below the minimum */
        public ResourcesSection {
            Objects.requireNonNull(vcpus, "vcpus");
            Objects.requireNonNull(memoryMb, "memoryMb");
            if (vcpus.isPresent() && !(vcpus.getAsDouble() >= MIN_VCPUS && Double.isFinite(vcpus.getAsDouble()))) {
                throw new InvalidRequestException("vcpus " + vcpus.getAsDouble()
                        + " is not a number of cores of at least " + MIN_VCPUS + ", e.g. 0.5 or 2");
            }
            if (memoryMb.isPresent() && memoryMb.getAsLong() < MIN_MEMORY_MB) {
                throw new InvalidRequestException("memory_mb " + memoryMb.getAsLong() + " is below the minimum of "
                        + MIN_MEMORY_MB + " MiB a sandbox needs to start");
            }
            Objects.requireNonNull(diskMb, "diskMb");
            if (diskMb.isPresent() && diskMb.getAsLong() <= 0) {
                throw new InvalidRequestException("disk_mb " + diskMb.getAsLong() + " must be a positive number of MiB");
            }
        }

        /** The section without {@code disk_mb}. */
        public ResourcesSection(OptionalDouble vcpus, OptionalLong memoryMb) {
            this(vcpus, memoryMb, OptionalLong.empty());
        }

        /** The section with nothing set. */
        public static ResourcesSection empty() {
            return new ResourcesSection(OptionalDouble.empty(), OptionalLong.empty());
        }
    }

    /**
     * The {@code [security]} section.
     *
     * @param profile {@code profile}: the security profile to start from
     * @param network {@code network}: overrides the profile's network access
     */
    public record SecuritySection(Optional<Profile> profile, Optional<Boolean> network) {

        /** Requires non-null optionals. */
        public SecuritySection {
            Objects.requireNonNull(profile, "profile");
            Objects.requireNonNull(network, "network");
        }

        /** The section with nothing set. */
        public static SecuritySection empty() {
            return new SecuritySection(Optional.empty(), Optional.empty());
        }
    }

    /**
     * The {@code [execution]} section: how a daemon runs background tasks (and where their
     * shared files live).
     *
     * @param workspaceDir {@code workspace_dir}: the host directory mounted at {@code /workspace} in tasks and sessions
     * @param toolsDir     {@code tools_dir}: a host directory of tool libraries, read-only at {@code /tools}
     * @param timeout      {@code timeout}: a task's default time limit, seconds
     * @param maxRetries   {@code max_retries}: retries of a task that failed for a reason of the infrastructure
     * @param maxWorkers   {@code max_workers}: tasks that run at once
     */
    public record ExecutionSection(Optional<java.nio.file.Path> workspaceDir, Optional<java.nio.file.Path> toolsDir,
                                   Optional<java.time.Duration> timeout, OptionalInt maxRetries, OptionalInt maxWorkers) {

        /** Checks the bounds. @throws InvalidRequestException for a value out of range */
        public ExecutionSection {
            Objects.requireNonNull(workspaceDir, "workspaceDir");
            Objects.requireNonNull(toolsDir, "toolsDir");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(maxRetries, "maxRetries");
            Objects.requireNonNull(maxWorkers, "maxWorkers");
            if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
                throw new InvalidRequestException("timeout must be a positive number of seconds");
            }
            if (maxRetries.isPresent() && (maxRetries.getAsInt() < 0 || maxRetries.getAsInt() > 10)) {
                throw new InvalidRequestException("max_retries must be between 0 and 10");
            }
            if (maxWorkers.isPresent() && (maxWorkers.getAsInt() < 1 || maxWorkers.getAsInt() > 1000)) {
                throw new InvalidRequestException("max_workers must be between 1 and 1000");
            }
        }

        /** The section with nothing set. */
        public static ExecutionSection empty() {
            return new ExecutionSection(Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(),
                    OptionalInt.empty());
        }
    }

    /**
     * The {@code [retention]} section: what a daemon deletes by itself.
     *
     * @param auditDays      {@code audit_days}: audit events older than this many days are deleted
     * @param auditMaxEvents {@code audit_max_events}: only the newest this many audit events are kept
     * @param taskDays       {@code task_days}: tasks that ended more than this many days ago are deleted
     */
    public record RetentionSection(OptionalDouble auditDays, OptionalLong auditMaxEvents, OptionalDouble taskDays) {

        /** The longest retention that can be configured, in days (about 100 years). */
        public static final double MAX_DAYS = 36_500;

        /** Checks the bounds. @throws InvalidRequestException for a value out of range */
        public RetentionSection {
            Objects.requireNonNull(auditDays, "auditDays");
            Objects.requireNonNull(auditMaxEvents, "auditMaxEvents");
            Objects.requireNonNull(taskDays, "taskDays");
            if (auditDays.isPresent() && !(auditDays.getAsDouble() > 0 && auditDays.getAsDouble() <= MAX_DAYS)) {
                throw new InvalidRequestException("audit_days must be more than 0 and at most " + (long) MAX_DAYS);
            }
            if (auditMaxEvents.isPresent() && auditMaxEvents.getAsLong() < 1) {
                throw new InvalidRequestException("audit_max_events must be at least 1");
            }
            if (taskDays.isPresent() && !(taskDays.getAsDouble() > 0 && taskDays.getAsDouble() <= MAX_DAYS)) {
                throw new InvalidRequestException("task_days must be more than 0 and at most " + (long) MAX_DAYS);
            }
        }

        /** The section with nothing set. */
        public static RetentionSection empty() {
            return new RetentionSection(OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty());
        }
    }
}
