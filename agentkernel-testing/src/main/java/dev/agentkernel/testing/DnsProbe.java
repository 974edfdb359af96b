package dev.agentkernel.testing;

/** A Python program for sandboxes that sends one DNS query over UDP and prints {@code rcode N} of the answer. */
public final class DnsProbe {

    private DnsProbe() {
    }

    /** The program: an A query for {@code name} to {@code server}:53 (e.g. the sandbox resolver 10.0.2.3). */
    public static String query(String server, String name) {
        StringBuilder labels = new StringBuilder();
        for (String label : name.split("\\.")) {
            labels.append(String.format("\\x%02x", label.length())).append(label);
        }
        return """
                import socket, struct
                q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"%s\\x00" + struct.pack(">HH", 1, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(q, ("%s", 53))
                print("rcode", s.recv(512)[3] & 15)
                """.formatted(labels, server);
    }
}
