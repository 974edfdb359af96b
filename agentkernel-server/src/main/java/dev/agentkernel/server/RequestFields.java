package dev.agentkernel.server;

import dev.agentkernel.api.ExecRequest;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxPaths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract's request records as core's requests: what the records cannot check themselves
 * (environment variable names, profiles, absolute paths) is checked here by the model's own
 * rules. Package-private.
 */
final class RequestFields {
    private RequestFields() {
    }

    /** {@code /run}, {@code /run/stream} and each entry of {@code /batch/run}. */
    static RunRequest run(dev.agentkernel.api.RunRequest r) {
        return new RunRequest(r.command(), Optional.ofNullable(r.image()), Optional.ofNullable(r.profile()).map(Profile::parse),
                timeout(r.timeout()), env(r.env()), r.fast(), r.asRoot(), pull(r.pull()), Optional.ofNullable(r.backend()),
                egress(r.networkPolicy()));
    }

    /**
     * A request's {@code network_policy} as the model's policy (which checks every entry: 400 naming
     * the one that is wrong); none when absent.
     */
    static dev.agentkernel.model.NetworkPolicy egress(dev.agentkernel.api.NetworkRules rules) {
        if (rules == null) {
            return dev.agentkernel.model.NetworkPolicy.NONE;
        }
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String entry : rules.addHosts()) {
            Map.Entry<String, String> host = dev.agentkernel.model.NetworkPolicy.parseExtraHost(entry);
            hosts.put(host.getKey(), host.getValue());
        }
        return new dev.agentkernel.model.NetworkPolicy(rules.allowDomains(), rules.denyDomains(), rules.allowAddresses(),
                rules.denyAddresses(), rules.ports(), hosts);
    }

    /** The {@code pull} of a request (checked by its record), {@code missing} when absent. */
    static ImagePull pull(String pull) {
        return pull == null ? ImagePull.MISSING : ImagePull.parse(pull);
    }

    /** {@code /sandboxes/NAME/exec} and {@code /exec/stream}. */
    static CommandSpec exec(ExecRequest r) {
        Optional<String> workdir = Optional.ofNullable(r.workdir());
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
        return new CommandSpec(r.command(), env(r.env()), workdir, timeout(r.timeout()), r.asRoot());
    }

    /**
     * Refuses {@code "output_encoding": "base64"} on a streamed command: its {@code output} events are
     * UTF-8 text, and the exact bytes come only in the answer of {@code plain} (the same request
     * without {@code /stream}).
     */
    static void requireTextOutput(boolean base64, String plain) {
        if (base64) {
            throw new dev.agentkernel.model.InvalidRequestException("output_encoding base64 is not supported on "
                    + plain + "/stream (its output events are UTF-8 text); ask " + plain + " for the exact bytes");
        }
    }

    /** {@code KEY=VALUE} assignments, checked. */
    static Map<String, String> env(List<String> assignments) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : assignments) {
            String[] kv = EnvVar.parse(assignment);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    /** A time limit in seconds (checked by the record) as a duration. */
    static Optional<Duration> timeout(Double seconds) {
        return seconds == null ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(1, (long) (seconds * 1000))));
    }
}
