package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.model.NetworkPolicy;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * DNS lookup latency through the egress resolver against the same lookup sent straight to its
 * upstream (a test server on loopback), side by side in one run: A queries over UDP from one
 * blocking client, the two paths alternated query by query. Not part of the build's tests (its
 * name matches no test pattern); run it with
 * {@code ./mvnw -o test -pl agentkernel-egress -Dtest=ResolverBench -Dsurefire.failIfNoSpecifiedTests=false}
 * (the numbers are printed to the test's output, target/surefire-reports/...ResolverBench-output.txt).
 */
class ResolverBench {

    private static final int WARMUP = 3_000;
    private static final int MEASURED = 20_000;

    @Test
    void lookupLatencyThroughTheResolverAndDirect() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        NetworkPolicy policy = new NetworkPolicy(List.of("*.allowed.test"), List.of(), List.of(),
                List.of("203.0.113.0/24"), List.of(), Map.of());
        Tenant tenant = new Tenant("bench", (Inet4Address) loopback, new EgressRules(policy), List.of());
        try (TestDnsServer upstream = new TestDnsServer();
             EgressResolver resolver = EgressResolver.start(loopback, source -> Optional.of(tenant),
                     List.of(upstream.address()), (t, a, ttl) -> { }, EgressEvents.NONE);
             DatagramSocket client = new DatagramSocket()) {
            upstream.add(new ARecord(Name.fromConstantString("api.allowed.test."), DClass.IN, 300,
                    InetAddress.getByName("192.0.2.10")));
            client.setSoTimeout(5_000);
            InetSocketAddress direct = upstream.address();
            InetSocketAddress through = new InetSocketAddress(loopback, resolver.port());
            for (int i = 0; i < WARMUP; i++) {
                lookup(client, direct, i);
                lookup(client, through, i);
            }
            long[] directNanos = new long[MEASURED];
            long[] throughNanos = new long[MEASURED];
            for (int i = 0; i < MEASURED; i++) {
                directNanos[i] = lookup(client, direct, i);
                throughNanos[i] = lookup(client, through, i);
            }
            String report = String.format("DNS A lookup over UDP on loopback, %d each, alternated (after %d warm-up):%n"
                            + "  direct to upstream   p50 %6.1f us  p99 %6.1f us%n"
                            + "  through the resolver p50 %6.1f us  p99 %6.1f us  (upstream + policy + answer)%n",
                    MEASURED, WARMUP, micros(directNanos, 50), micros(directNanos, 99), micros(throughNanos, 50),
                    micros(throughNanos, 99));
            System.out.print(report);
            assertThat(micros(throughNanos, 50)).isGreaterThan(micros(directNanos, 50));
        }
    }

    private static long lookup(DatagramSocket client, InetSocketAddress server, int i) throws IOException {
        Message query = Message.newQuery(Record.newRecord(Name.fromConstantString("api.allowed.test."), Type.A, DClass.IN));
        byte[] out = query.toWire();
        byte[] in = new byte[1500];
        long start = System.nanoTime();
        client.send(new DatagramPacket(out, out.length, server));
        DatagramPacket packet = new DatagramPacket(in, in.length);
        do {
            client.receive(packet);
        } while (((in[0] & 0xff) << 8 | (in[1] & 0xff)) != query.getHeader().getID());
        long took = System.nanoTime() - start;
        Message answer = new Message(Arrays.copyOf(in, packet.getLength()));
        if (answer.getRcode() != Rcode.NOERROR || answer.getSection(org.xbill.DNS.Section.ANSWER).isEmpty()) {
            throw new IOException("lookup " + i + " failed: " + answer);
        }
        return took;
    }

    private static double micros(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)] / 1000.0;
    }
}
