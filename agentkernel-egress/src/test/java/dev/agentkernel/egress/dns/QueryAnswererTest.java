package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.egress.AllowedDestinations;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.model.NetworkPolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Answers that need no upstream (the one given is never reached: nothing is listening there). */
class QueryAnswererTest {

    private final List<Refusal> refusals = new ArrayList<>();
    private final List<Inet4Address> allowedAddresses = new ArrayList<>();
    private final Tenant tenant;

    QueryAnswererTest() throws IOException {
        NetworkPolicy policy = new NetworkPolicy(List.of("*.allowed.test", "db.internal"), List.of(), List.of(),
                List.of(), List.of(), Map.of("db.internal", "198.51.100.7"));
        tenant = new Tenant("box", (Inet4Address) InetAddress.getByName("100.64.0.2"), new EgressRules(policy), List.of());
    }

    private QueryAnswerer answerer(AllowedDestinations allowed) {
        Upstream nowhere = new Upstream(List.of(new InetSocketAddress("127.0.0.1", 9)), Duration.ofMillis(200));
        EgressEvents events = new EgressEvents() {
            @Override
            public void refused(Refusal refusal) {
                refusals.add(refusal);
            }

            @Override
            public void placeholderWithheld(String sandbox, String secret, String host) {
            }
        };
        return new QueryAnswerer(new AddressLookup(nowhere, new NameCache(8, 8, System::nanoTime)), allowed,
                new RefusalReporter(events, 1_000_000_000L, 20, System::nanoTime));
    }

    private QueryAnswerer answerer() {
        return answerer((t, address, ttl) -> allowedAddresses.add(address));
    }

    private static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
    }

    private Message answer(QueryAnswerer answerer, Message query) throws IOException {
        return new Message(answerer.answer(tenant, query.toWire(), true).orElseThrow());
    }

    @Test
    void anExtraHostIsAnsweredFreshWithTheQueryIdAndQuestion() throws IOException {
        Message query = query("db.internal.", Type.A);
        Message answer = answer(answerer(), query);

        assertThat(answer.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(answer.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(answer.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(answer.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(answer.getQuestion()).isEqualTo(query.getQuestion());
        assertThat(answer.getSection(Section.ANSWER)).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactly("198.51.100.7");
        assertThat(answer.getOPT()).isNull();
        assertThat(allowedAddresses).extracting(InetAddress::getHostAddress).containsExactly("198.51.100.7");
    }

    @Test
    void aQueryWithEdnsGetsAnOptRecordBack() throws IOException {
        Message query = query("db.internal.", Type.A);
        query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        assertThat(answer(answerer(), query).getOPT().getPayloadSize()).isEqualTo(QueryAnswerer.EDNS_PAYLOAD);
    }

    @Test
    void whenThePacketFilterCannotAllowTheAddressTheAnswerIsServfailWithoutIt() throws IOException {
        Message answer = answer(answerer((t, a, ttl) -> {
            throw new IllegalStateException("nft failed");
        }), query("db.internal.", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(answer.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aNameWithOddBytesIsRefusedAsMalformed() throws IOException {
        Message answer = answer(answerer(), query("a\\032b.allowed.test.", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(refusals).containsExactly(new Refusal("box", "a\\032b.allowed.test", 0, "dns", "malformed name"));
    }

    @Test
    void otherClassesAndOpcodesAreNotImplementedAndTwoQuestionsAreFormErr() throws IOException {
        Message chaos = Message.newQuery(Record.newRecord(Name.fromConstantString("version.bind."), Type.TXT, DClass.CH));
        assertThat(answer(answerer(), chaos).getRcode()).isEqualTo(Rcode.NOTIMP);

        Message notify = query("x.allowed.test.", Type.SOA);
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertThat(answer(answerer(), notify).getRcode()).isEqualTo(Rcode.NOTIMP);

        Message two = query("x.allowed.test.", Type.A);
        two.addRecord(Record.newRecord(Name.fromConstantString("y.allowed.test."), Type.A, DClass.IN), Section.QUESTION);
        Message answer = answer(answerer(), two);
        assertThat(answer.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(answer.getSection(Section.QUESTION)).isEmpty();
        assertThat(refusals).isEmpty();
    }

    @Test
    void garbageIsFormErrWithItsIdAndResponsesOrScrapsGetNothing() throws IOException {
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 'x'};
        Message formerr = new Message(answerer().answer(tenant, garbage, true).orElseThrow());
        assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
        assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);

        Message response = query("db.internal.", Type.A);
        response.getHeader().setFlag(Flags.QR);
        assertThat(answerer().answer(tenant, response.toWire(), true)).isEmpty();
        assertThat(answerer().answer(tenant, new byte[] {1, 2, 3}, true)).isEmpty();
    }

    @Test
    void theTtlTheAddressIsAllowedForIsClamped() {
        assertThat(QueryAnswerer.allowFor(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(QueryAnswerer.allowFor(300)).isEqualTo(Duration.ofSeconds(300));
        assertThat(QueryAnswerer.allowFor(604_800)).isEqualTo(Duration.ofHours(1));
    }
}
