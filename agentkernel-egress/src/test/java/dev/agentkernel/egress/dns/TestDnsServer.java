package dev.agentkernel.egress.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An authoritative-looking DNS server for tests, on loopback, UDP and TCP on one port: answers
 * from the records it is given (CNAMEs chased within them), NXDOMAIN for names it has no record
 * of, and remembers every query it receives.
 */
final class TestDnsServer implements AutoCloseable {

    /** One query received. */
    record Received(String name, int type, boolean tcp) {
    }

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    TestDnsServer() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 10 && t == null; i++) {
            u = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, loopback);
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) {
            throw new IOException("no free port for the test DNS server");
        }
        udp = u;
        tcp = t;
        threads.execute(this::serveUdp);
        threads.execute(this::serveTcp);
    }

    TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), k -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                received.add(new Received(query.getQuestion().getName().toString(true), query.getQuestion().getType(), false));
                OPTRecord opt = query.getOPT();
                byte[] answer = respond(query).toWire(opt == null ? 512 : opt.getPayloadSize());
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a query it could not read
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                threads.execute(() -> {
                    try (socket) {
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                        while (true) {
                            byte[] bytes = new byte[in.readUnsignedShort()];
                            in.readFully(bytes);
                            Message query = new Message(bytes);
                            received.add(new Received(query.getQuestion().getName().toString(true),
                                    query.getQuestion().getType(), true));
                            byte[] answer = respond(query).toWire(65535);
                            out.writeShort(answer.length);
                            out.write(answer);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the client is done
                    }
                });
            } catch (IOException e) {
                // closed
            }
        }
    }

    private Message respond(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        if (!records.containsKey(name)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        List<Name> seen = new ArrayList<>();
        while (name != null && !seen.contains(name)) {
            seen.add(name);
            Name next = null;
            for (Record record : records.getOrDefault(name, List.of())) {
                if (record.getType() == question.getType()) {
                    response.addRecord(record, Section.ANSWER);
                } else if (record instanceof CNAMERecord cname && question.getType() != Type.CNAME) {
                    response.addRecord(record, Section.ANSWER);
                    next = cname.getTarget();
                }
            }
            name = next;
        }
        return response;
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
        threads.shutdownNow();
    }
}
