package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.egress.AllowedDestinations;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Tenants;
import dev.agentkernel.model.NetworkPolicy;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The resolver on loopback against a test upstream server (both made here, nothing leaves the
 * host), queried with dnsjava over UDP and TCP from 127.0.0.1, which the test's {@link Tenants}
 * maps to one sandbox with a policy.
 */
class EgressResolverIT {

    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private static final NetworkPolicy POLICY = new NetworkPolicy(List.of("*.allowed.test", "db.internal"),
            List.of("deny.allowed.test"), List.of(), List.of("203.0.113.0/24"), List.of(),
            Map.of("db.internal", "198.51.100.7"));
    private static final Tenant TENANT = new Tenant("box-1", (Inet4Address) LOOPBACK, new EgressRules(POLICY), List.of());

    record Allowed(String sandbox, Inet4Address address, Duration ttl) {
    }

    private static final List<Allowed> ALLOWED = new CopyOnWriteArrayList<>();
    private static final List<Refusal> REFUSED = new CopyOnWriteArrayList<>();
    private static TestDnsServer upstream;
    private EgressResolver resolver;

    @BeforeAll
    static void start() throws IOException {
        upstream = new TestDnsServer()
                .add(a("api.allowed.test", "192.0.2.10", 300))
                .add(new AAAARecord(name("api.allowed.test"), DClass.IN, 300, address("2001:db8::1")))
                .add(new TXTRecord(name("api.allowed.test"), DClass.IN, 300, "tunnel-data"))
                .add(new CNAMERecord(name("cdn.allowed.test"), DClass.IN, 120, name("edge.cdn-provider.test")))
                .add(a("edge.cdn-provider.test", "192.0.2.20", 600))
                .add(a("mixed.allowed.test", "192.0.2.30", 5))
                .add(a("mixed.allowed.test", "203.0.113.9", 5))
                .add(a("denied-only.allowed.test", "203.0.113.10", 300))
                .add(a("long.allowed.test", "192.0.2.40", 86_400))
                .add(a("deny.allowed.test", "192.0.2.77", 300))
                .add(a("evil.test", "192.0.2.66", 300));
        for (int i = 1; i <= 120; i++) {
            upstream.add(a("big.allowed.test", "198.18.0." + i, 300));
        }
    }

    /** A resolver per test: each starts with no refusal counted against the sandbox's audit allowance. */
    @BeforeEach
    void startResolver() throws IOException {
        ALLOWED.clear();
        REFUSED.clear();
        AllowedDestinations allowed = (tenant, address, ttl) -> ALLOWED.add(new Allowed(tenant.sandbox(), address, ttl));
        EgressEvents events = new EgressEvents() {
            @Override
            public void refused(Refusal refusal) {
                REFUSED.add(refusal);
            }

            @Override
            public void placeholderWithheld(String sandbox, String secret, String host) {
            }
        };
        resolver = EgressResolver.start(LOOPBACK, source -> source.equals(LOOPBACK) ? Optional.of(TENANT) : Optional.empty(),
                List.of(upstream.address()), allowed, events);
    }

    @AfterEach
    void stopResolver() {
        resolver.close();
    }

    @AfterAll
    static void stop() throws IOException {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void anAllowedNameIsAnsweredOverUdpAndItsAddressAllowedWithItsTtl() throws IOException {
        Message answer = query(resolver, "api.allowed.test", Type.A, false);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(answer)).containsExactly("192.0.2.10");
        assertThat(answer.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(300);
        assertThat(answer.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(ALLOWED).containsExactly(new Allowed("box-1", v4("192.0.2.10"), Duration.ofSeconds(300)));
        assertThat(REFUSED).isEmpty();
    }

    @Test
    void anAllowedNameIsAnsweredOverTcp() throws IOException {
        Message answer = query(resolver, "api.allowed.test", Type.A, true);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(addresses(answer)).containsExactly("192.0.2.10");
        assertThat(ALLOWED).extracting(Allowed::address).containsExactly(v4("192.0.2.10"));
    }

    @Test
    void aNameOutsideTheAllowListIsRefusedAuditedAndNeverForwarded() throws IOException {
        for (boolean tcp : new boolean[] {false, true}) {
            Message answer = query(resolver, "evil.test", Type.A, tcp);
            assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(answer.getSection(Section.ANSWER)).isEmpty();
        }

        assertThat(REFUSED).containsExactly(new Refusal("box-1", "evil.test", 0, "dns", "not in allow_domains"));
        assertThat(upstream.received()).extracting(TestDnsServer.Received::name).doesNotContain("evil.test");
        assertThat(ALLOWED).isEmpty();
    }

    @Test
    void aDeniedNameUnderAnAllowedWildcardIsRefused() throws IOException {
        Message answer = query(resolver, "deny.allowed.test", Type.A, false);

        assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(REFUSED).containsExactly(new Refusal("box-1", "deny.allowed.test", 0, "dns",
                "deny_domains: deny.allowed.test"));
        assertThat(upstream.received()).extracting(TestDnsServer.Received::name).doesNotContain("deny.allowed.test");
    }

    @Test
    void aaaaOfAnAllowedNameIsEmptyAndNotForwarded() throws IOException {
        Message answer = query(resolver, "api.allowed.test", Type.AAAA, false);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).isEmpty();
        assertThat(upstream.received()).noneMatch(r -> r.type() == Type.AAAA);
        assertThat(ALLOWED).isEmpty();
    }

    @Test
    void txtOfAnAllowedNameIsEmptySoNothingTunnelsThroughRecordData() throws IOException {
        for (int type : new int[] {Type.TXT, Type.MX, Type.SRV, Type.ANY, Type.CNAME, Type.NULL}) {
            Message answer = query(resolver, "api.allowed.test", type, false);
            assertThat(answer.getRcode()).as(Type.string(type)).isEqualTo(Rcode.NOERROR);
            assertThat(answer.getSection(Section.ANSWER)).as(Type.string(type)).isEmpty();
        }
        assertThat(upstream.received()).allMatch(r -> r.type() == Type.A);
    }

    @Test
    void aTunnellingNameUnderADomainNotAllowedIsRefusedNeverForwardedAndItsAuditBounded() throws IOException {
        String label = "4f6e6520736563726574206c696e65206f66206578666972746174656420646174612c20686578";
        for (int i = 0; i < 40; i++) {
            String name = i + label.substring(0, 60) + "." + label.substring(0, 60) + ".t.exfil.example";
            Message answer = query(resolver, name, i % 2 == 0 ? Type.TXT : Type.A, i % 4 == 3);
            assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
        }

        assertThat(upstream.received()).noneMatch(r -> r.name().endsWith("exfil.example"));
        assertThat(REFUSED).hasSize(20)
                .allMatch(r -> r.rule().equals("not in allow_domains") && r.protocol().equals("dns"));
    }

    @Test
    void identicalRefusalsAreAuditedOncePerWindowButAlwaysAnswered() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertThat(query(resolver, "again.evil.test", Type.A, false).getRcode()).isEqualTo(Rcode.REFUSED);
        }
        assertThat(REFUSED).containsExactly(new Refusal("box-1", "again.evil.test", 0, "dns", "not in allow_domains"));
    }

    @Test
    void anExtraHostIsAnsweredWithoutUpstream() throws IOException {
        Message answer = query(resolver, "DB.Internal", Type.A, false);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(addresses(answer)).containsExactly("198.51.100.7");
        assertThat(answer.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(60);
        assertThat(ALLOWED).containsExactly(new Allowed("box-1", v4("198.51.100.7"), Duration.ofSeconds(60)));
        assertThat(upstream.received()).extracting(r -> r.name().toLowerCase()).doesNotContain("db.internal");
    }

    @Test
    void anAddressInDenyAddressesIsDroppedFromTheAnswerAndAudited() throws IOException {
        Message answer = query(resolver, "mixed.allowed.test", Type.A, false);

        assertThat(addresses(answer)).containsExactly("192.0.2.30");
        assertThat(answer.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
        assertThat(ALLOWED).containsExactly(new Allowed("box-1", v4("192.0.2.30"), Duration.ofSeconds(30)));
        assertThat(REFUSED).containsExactly(new Refusal("box-1", "203.0.113.9 (mixed.allowed.test)", 0, "dns",
                "deny_addresses: 203.0.113.0/24"));
    }

    @Test
    void aNameWhoseEveryAddressIsDeniedHasAnEmptyAnswer() throws IOException {
        Message answer = query(resolver, "denied-only.allowed.test", Type.A, false);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).isEmpty();
        assertThat(ALLOWED).isEmpty();
    }

    @Test
    void aCnameChainIsFollowedAndFlattenedWithItsSmallestTtl() throws IOException {
        Message answer = query(resolver, "cdn.allowed.test", Type.A, false);

        assertThat(answer.getSection(Section.ANSWER)).singleElement().satisfies(record -> {
            assertThat(record).isInstanceOf(ARecord.class);
            assertThat(record.getName()).isEqualTo(name("cdn.allowed.test"));
            assertThat(((ARecord) record).getAddress().getHostAddress()).isEqualTo("192.0.2.20");
            assertThat(record.getTTL()).isEqualTo(120);
        });
        assertThat(ALLOWED).containsExactly(new Allowed("box-1", v4("192.0.2.20"), Duration.ofSeconds(120)));
    }

    @Test
    void aLongTtlIsCutToTheHourTheAddressIsAllowedFor() throws IOException {
        Message answer = query(resolver, "long.allowed.test", Type.A, false);

        assertThat(answer.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(3600);
        assertThat(ALLOWED).containsExactly(new Allowed("box-1", v4("192.0.2.40"), Duration.ofHours(1)));
    }

    @Test
    void aLargeAnswerIsTruncatedOverUdpAndWholeOverTcpOnBothLegs() throws IOException {
        SimpleResolver client = client(resolver);
        client.setIgnoreTruncation(true);
        Message truncated = client.send(Message.newQuery(Record.newRecord(name("big.allowed.test"), Type.A, DClass.IN)));
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();

        Message whole = query(resolver, "big.allowed.test", Type.A, false);

        assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(whole)).hasSize(120);
        assertThat(upstream.received()).contains(new TestDnsServer.Received("big.allowed.test", Type.A, true));
    }

    @Test
    void aNameUpstreamDoesNotKnowIsNxdomain() throws IOException {
        assertThat(query(resolver, "nope.allowed.test", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void anUpstreamThatDoesNotAnswerGivesServfailWithinThreeSeconds() throws IOException {
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             EgressResolver lonely = EgressResolver.start(LOOPBACK, source -> Optional.of(TENANT),
                     List.of(new InetSocketAddress(LOOPBACK, blackHole.getLocalPort())), (t, a, ttl) -> { },
                     EgressEvents.NONE)) {
            long start = System.nanoTime();
            Message answer = query(lonely, "api.allowed.test", Type.A, false);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(took).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aSandboxHasAtMost64QueriesInFlightAndTheRestAreDropped() throws IOException {
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            EgressResolver slow = EgressResolver.start(LOOPBACK, source -> Optional.of(TENANT),
                    List.of(new InetSocketAddress(LOOPBACK, blackHole.getLocalPort())), (t, a, ttl) -> { },
                    EgressEvents.NONE, Duration.ofSeconds(1));
            InetSocketAddress target = new InetSocketAddress(LOOPBACK, slow.port());
            try {
                for (int i = 0; i < 100; i++) {
                    byte[] wire = Message.newQuery(Record.newRecord(name("q" + i + ".allowed.test"), Type.A, DClass.IN))
                            .toWire();
                    client.send(new DatagramPacket(wire, wire.length, target));
                }
                client.setSoTimeout(2_500);
                int answers = 0;
                try {
                    while (true) {
                        DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                        client.receive(packet);
                        assertThat(new Message(Arrays.copyOf(packet.getData(), packet.getLength())).getRcode())
                                .isEqualTo(Rcode.SERVFAIL);
                        answers++;
                    }
                } catch (SocketTimeoutException done) {
                    // every answer that will come has come
                }
                assertThat(answers).isEqualTo(EgressResolver.MAX_IN_FLIGHT_PER_SANDBOX);
            } finally {
                slow.close();
            }
            byte[] wire = Message.newQuery(Record.newRecord(name("late.allowed.test"), Type.A, DClass.IN)).toWire();
            client.send(new DatagramPacket(wire, wire.length, target));
            client.setSoTimeout(300);
            assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[512], 512)))
                    .as("closed: nothing answers").isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aSourceThatIsNoSandboxUnderAPolicyGetsNoAnswer() throws IOException {
        try (EgressResolver closed = EgressResolver.start(LOOPBACK, source -> Optional.empty(),
                List.of(upstream.address()), (t, a, ttl) -> { }, EgressEvents.NONE)) {
            SimpleResolver client = client(closed);
            client.setTimeout(Duration.ofMillis(500));
            Message query = Message.newQuery(Record.newRecord(name("api.allowed.test"), Type.A, DClass.IN));

            assertThatThrownBy(() -> client.send(query)).isInstanceOf(IOException.class);
            client.setTCP(true);
            assertThatThrownBy(() -> client.send(query)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void theNameResolverFollowsTheSamePathAndKeepsAnswersForTheirTtl() throws IOException {
        assertThat(resolver.resolve(TENANT, "mixed.allowed.test")).containsExactly(v4("192.0.2.30"));
        assertThat(resolver.resolve(TENANT, "db.internal")).containsExactly(v4("198.51.100.7"));
        long asked = upstream.received().stream().filter(r -> r.name().equals("api.allowed.test")).count();
        assertThat(resolver.resolve(TENANT, "api.allowed.test")).containsExactly(v4("192.0.2.10"));
        assertThat(resolver.resolve(TENANT, "API.allowed.test.")).containsExactly(v4("192.0.2.10"));
        assertThat(upstream.received().stream().filter(r -> r.name().equals("api.allowed.test")).count())
                .isEqualTo(asked + 1);

        assertThatThrownBy(() -> resolver.resolve(TENANT, "evil.test")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("not in allow_domains");
        assertThatThrownBy(() -> resolver.resolve(TENANT, "denied-only.allowed.test"))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("deny_addresses: 203.0.113.0/24");
        assertThatThrownBy(() -> resolver.resolve(TENANT, "nope.allowed.test"))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("no such name");
        assertThatThrownBy(() -> resolver.resolve(TENANT, "a b.allowed.test"))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("malformed name");
        assertThat(ALLOWED).isEmpty();
        assertThat(REFUSED).isEmpty();
    }

    static Message query(EgressResolver target, String name, int type, boolean tcp) throws IOException {
        SimpleResolver client = client(target);
        client.setTCP(tcp);
        return client.send(Message.newQuery(Record.newRecord(name(name + "."), type, DClass.IN)));
    }

    static SimpleResolver client(EgressResolver target) {
        SimpleResolver client = new SimpleResolver(new InetSocketAddress(LOOPBACK, target.port()));
        client.setTimeout(Duration.ofSeconds(5));
        return client;
    }

    private static List<String> addresses(Message answer) {
        return answer.getSection(Section.ANSWER).stream().map(r -> ((ARecord) r).getAddress().getHostAddress()).toList();
    }

    private static ARecord a(String name, String address, long ttl) {
        return new ARecord(name(name), DClass.IN, ttl, address(address));
    }

    private static Name name(String text) {
        return Name.fromConstantString(text.endsWith(".") ? text : text + ".");
    }

    private static Inet4Address v4(String text) {
        return (Inet4Address) address(text);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
