package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.AllowedDestinations;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers one DNS query of one sandbox (wire format in, wire format out).
 *
 * <ul>
 *   <li>Only standard queries of class IN with exactly one question are answered (others:
 *       FORMERR or NOTIMP); responses are never answered.</li>
 *   <li>A name that is malformed ({@link QueryName}) or that the sandbox's rules refuse: REFUSED
 *       and a {@link Refusal} (rate-limited), whatever the type. REFUSED rather than NXDOMAIN: the
 *       program fails at once, and the name's existence is neither confirmed nor denied.</li>
 *   <li>An allowed name, type A: the policy's extra hosts, else upstream; the CNAME chain is
 *       followed inside the upstream answer and flattened (A records owned by the queried name,
 *       no CNAME): only the queried name is checked against the rules, not the names of the
 *       chain (CDNs put their own names there); the addresses still pass the address rules.
 *       Addresses the rules refuse are left out (and audited); each address kept is reported to
 *       {@link AllowedDestinations} before the answer leaves, for its TTL clamped to [30 s, 1 h];
 *       the answer's TTL is never longer than that. NXDOMAIN upstream: NXDOMAIN; upstream
 *       failed: SERVFAIL; no address left (none upstream, a chain that ends without one, or
 *       every address refused): NOERROR with no record.</li>
 *   <li>An allowed name, any other type (AAAA, TXT, MX, SRV, CNAME, ANY, ...): NOERROR with no
 *       record, without asking upstream. Sandboxes have no IPv6, so clients fall back to A at
 *       once; nothing but addresses flows back, which closes DNS tunnelling through TXT and
 *       the like.</li>
 * </ul>
 * The answer is built fresh: the query's id, flags RD (as asked) and RA, the question, the
 * A records; no authority or additional section but an OPT record when the query had one.
 */
final class QueryAnswerer {

    static final Duration MIN_ALLOW = Duration.ofSeconds(30);
    static final Duration MAX_ALLOW = Duration.ofHours(1);
    /** The largest UDP answer we send to a client that announces EDNS (the DNS flag day's size). */
    static final int EDNS_PAYLOAD = 1232;

    private static final System.Logger LOG = System.getLogger(QueryAnswerer.class.getName());

    private final AddressLookup lookup;
    private final AllowedDestinations allowed;
    private final RefusalReporter refusals;

    QueryAnswerer(AddressLookup lookup, AllowedDestinations allowed, RefusalReporter refusals) {
        this.lookup = lookup;
        this.allowed = allowed;
        this.refusals = refusals;
    }

    /**
     * The answer to {@code wire} from {@code tenant}; empty when nothing is to be sent (not a
     * query, or too short to carry an id).
     *
     * @param udp whether the answer goes over UDP (limited to 512 bytes, or the query's EDNS
     *            size up to {@link #EDNS_PAYLOAD}, and truncated with TC beyond)
     */
    Optional<byte[]> answer(Tenant tenant, byte[] wire, boolean udp) {
        if (wire.length < 12 || (wire[2] & 0x80) != 0) {
            return Optional.empty();
        }
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            Message formerr = new Message(((wire[0] & 0xff) << 8) | (wire[1] & 0xff));
            formerr.getHeader().setFlag(Flags.QR);
            formerr.getHeader().setRcode(Rcode.FORMERR);
            return Optional.of(formerr.toWire(512));
        }
        Message response;
        try {
            response = answer(tenant, query);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "egress DNS: answering a query of " + tenant.sandbox() + " failed", e);
            response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setRcode(Rcode.SERVFAIL);
        }
        int limit = Message.MAXLENGTH;
        if (udp) {
            OPTRecord opt = query.getOPT();
            limit = opt == null ? 512 : Math.clamp(opt.getPayloadSize(), 512, EDNS_PAYLOAD);
        }
        return Optional.of(response.toWire(limit));
    }

    private Message answer(Tenant tenant, Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setFlag(Flags.RA);
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return rcode(response, Rcode.NOTIMP);
        }
        if (query.getHeader().getCount(Section.QUESTION) != 1) {
            return rcode(response, Rcode.FORMERR);
        }
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        if (question.getDClass() != DClass.IN) {
            return rcode(response, Rcode.NOTIMP);
        }
        String text = question.getName().toString(true);
        Optional<String> name = QueryName.normalise(text);
        if (name.isEmpty()) {
            refusals.report(new Refusal(tenant.sandbox(), QueryName.forAudit(text), 0, "dns", QueryName.MALFORMED));
            return rcode(response, Rcode.REFUSED);
        }
        if (tenant.rules().name(name.get()) instanceof Verdict.Refused refused) {
            refusals.report(new Refusal(tenant.sandbox(), name.get(), 0, "dns", refused.rule()));
            return rcode(response, Rcode.REFUSED);
        }
        if (question.getType() != Type.A) {
            return response;
        }
        return switch (lookup.lookup(tenant, name.get(), false)) {
            case LookupResult.NoSuchName n -> rcode(response, Rcode.NXDOMAIN);
            case LookupResult.Failed f -> {
                LOG.log(System.Logger.Level.DEBUG, "egress DNS: {0} for {1}: {2}", name.get(), tenant.sandbox(), f.reason());
                yield rcode(response, Rcode.SERVFAIL);
            }
            case LookupResult.Found found -> addresses(tenant, name.get(), question, found, response);
        };
    }

    private Message addresses(Tenant tenant, String name, Record question, LookupResult.Found found, Message response) {
        for (LookupResult.Dropped dropped : found.dropped()) {
            refusals.report(new Refusal(tenant.sandbox(), dropped.address().getHostAddress() + " (" + name + ")", 0,
                    "dns", dropped.rule()));
        }
        try {
            for (ResolvedAddress address : found.kept()) {
                Duration ttl = allowFor(address.ttlSeconds());
                allowed.allow(tenant, address.address(), ttl);
                response.addRecord(new ARecord(question.getName(), DClass.IN,
                        Math.min(address.ttlSeconds(), ttl.toSeconds()), address.address()), Section.ANSWER);
            }
        } catch (RuntimeException e) {
            // an address the packet filter may not let through must not be answered
            LOG.log(System.Logger.Level.WARNING, "egress DNS: could not allow the addresses of " + name + " for "
                    + tenant.sandbox() + "; answering SERVFAIL", e);
            response.removeAllRecords(Section.ANSWER);
            return rcode(response, Rcode.SERVFAIL);
        }
        return response;
    }

    /** How long the packet filter lets a sandbox reach an address answered with {@code ttlSeconds}. */
    static Duration allowFor(long ttlSeconds) {
        return Duration.ofSeconds(Math.clamp(ttlSeconds, MIN_ALLOW.toSeconds(), MAX_ALLOW.toSeconds()));
    }

    private static Message rcode(Message response, int rcode) {
        response.getHeader().setRcode(rcode);
        return response;
    }
}
