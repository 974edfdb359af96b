package dev.agentkernel.cli;

import dev.agentkernel.api.NetworkRules;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NetworkPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The network-policy options of {@code run} and {@code create}: {@code --allow-domain},
 * {@code --deny-domain}, {@code --allow-address}, {@code --deny-address}, {@code --allow-port} and
 * {@code --add-host}, each repeatable (or comma-separated), read as the model's
 * {@link NetworkPolicy} (checked here, so a typo fails before anything starts) and as the wire's
 * {@link NetworkRules}.
 */
final class NetworkPolicyOptions {

    private NetworkPolicyOptions() {
    }

    /** Adds the options to {@code o}. */
    static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("allow-domain").hasArg().argName("DOMAIN")
                .desc("Only allowed names (and addresses) are reachable: a domain, or *.domain for every name below it "
                        + "(repeatable)").get());
        o.addOption(Option.builder().longOpt("deny-domain").hasArg().argName("DOMAIN")
                .desc("Never resolve or reach this domain, or *.domain (repeatable; deny wins)").get());
        o.addOption(Option.builder().longOpt("allow-address").hasArg().argName("CIDR")
                .desc("An IPv4 address or range reachable directly, e.g. 198.51.100.0/24 (repeatable)").get());
        o.addOption(Option.builder().longOpt("deny-address").hasArg().argName("CIDR")
                .desc("An IPv4 address or range never reached (repeatable; deny wins)").get());
        o.addOption(Option.builder().longOpt("allow-port").hasArg().argName("PORT")
                .desc("Only these destination ports are reachable (repeatable; default: every port)").get());
        o.addOption(Option.builder().longOpt("add-host").hasArg().argName("NAME:IP")
                .desc("An extra host entry answered by the sandbox's resolver; the policy applies to it (repeatable)")
                .get());
    }

    /**
     * The policy the options give ({@link NetworkPolicy#NONE} without any).
     *
     * @throws InvalidRequestException naming the value that is wrong
     */
    static NetworkPolicy policy(CommandLine args) {
        List<Integer> ports = new ArrayList<>();
        for (String port : values(args, "allow-port")) {
            try {
                ports.add(Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("--allow-port: '" + port + "' is not a port number (1..65535)");
            }
        }
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String entry : values(args, "add-host")) {
            Map.Entry<String, String> host = NetworkPolicy.parseExtraHost(entry);
            hosts.put(host.getKey(), host.getValue());
        }
        return new NetworkPolicy(values(args, "allow-domain"), values(args, "deny-domain"),
                values(args, "allow-address"), values(args, "deny-address"), ports, hosts);
    }

    /** {@code base} (the project's {@code [network]}) with the options' rules added, as the wire's rules; null without any. */
    static NetworkRules rules(CommandLine args, NetworkPolicy base) {
        NetworkPolicy policy = base.merge(policy(args));
        if (!policy.restricts()) {
            return null;
        }
        return new NetworkRules(policy.allowDomains(), policy.denyDomains(), policy.allowAddresses(),
                policy.denyAddresses(), policy.ports(),
                policy.extraHosts().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList());
    }

    private static List<String> values(CommandLine args, String option) {
        String[] given = args.getOptionValues(option);
        if (given == null) {
            return List.of();
        }
        return Arrays.stream(given).flatMap(v -> Arrays.stream(v.split(","))).map(String::strip)
                .filter(v -> !v.isEmpty()).toList();
    }
}
