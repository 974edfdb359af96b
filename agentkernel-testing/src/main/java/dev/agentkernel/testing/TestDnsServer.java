package dev.agentkernel.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The "upstream" resolver of the egress tests, on the host's loopback (where the egress
 * resolver, a host process, asks it): UDP only, A records from a fixed table, NXDOMAIN for the
 * rest, and a record of every name it was asked, so a test can prove that a refused name never
 * left the host.
 */
public final class TestDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, String> table;
    private final List<String> asked = new CopyOnWriteArrayList<>();

    private TestDnsServer(DatagramSocket socket, Map<String, String> table) {
        this.socket = socket;
        this.table = table;
    }

    /** Serves {@code table} (lower-case name without the final dot → IPv4 address). */
    public static TestDnsServer start(Map<String, String> table) throws IOException {
        TestDnsServer server = new TestDnsServer(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)), table);
        Thread.ofVirtual().start(server::serve);
        return server;
    }

    /** {@code IP:PORT}, for {@code AGENTKERNEL_EGRESS_DNS}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Every name asked so far (lower case, no final dot). */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                Message answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(Flags.QR);
                answer.getHeader().setFlag(Flags.RA);
                answer.addRecord(question, Section.QUESTION);
                String name = question.getName().toString(true).toLowerCase(java.util.Locale.ROOT);
                asked.add(name);
                String address = table.get(name);
                if (address == null) {
                    answer.getHeader().setRcode(Rcode.NXDOMAIN);
                } else if (question.getType() == Type.A) {
                    answer.addRecord(new ARecord(Name.fromString(name + "."), DClass.IN, 300,
                            InetAddress.getByName(address)), Section.ANSWER);
                }
                byte[] wire = answer.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
