package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Tenants;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The resolver's UDP socket: one reader, one virtual thread per query. A datagram from no
 * sandbox under a policy is dropped (no answer, so nothing is reflected to a forged source); a
 * sandbox with all its slots taken has its queries dropped too (its stub resolver retries).
 */
final class UdpEndpoint {

    private static final System.Logger LOG = System.getLogger(UdpEndpoint.class.getName());
    private static final int MAX_QUERY = 4096;

    private final DatagramSocket socket;
    private final Tenants tenants;
    private final TenantSlots slots;
    private final QueryAnswerer answerer;
    private final ExecutorService workers;

    UdpEndpoint(DatagramSocket socket, Tenants tenants, TenantSlots slots, QueryAnswerer answerer,
                ExecutorService workers) {
        this.socket = socket;
        this.tenants = tenants;
        this.slots = slots;
        this.answerer = answerer;
        this.workers = workers;
    }

    private Optional<Tenant> tenantOf(DatagramPacket packet) {
        try {
            return tenants.bySource(packet.getAddress());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "egress DNS: finding the sandbox at " + packet.getAddress() + " failed", e);
            return Optional.empty();
        }
    }

    /** Reads queries until the socket is closed. */
    void serve() {
        byte[] buffer = new byte[MAX_QUERY];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "egress DNS: UDP receive failed", e);
                }
                continue;
            }
            Optional<Tenant> tenant = tenantOf(packet);
            if (tenant.isEmpty() || !slots.tryAcquire(tenant.get().sandbox())) {
                continue;
            }
            byte[] query = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            var client = packet.getSocketAddress();
            try {
                workers.execute(() -> {
                    try {
                        Optional<byte[]> answer = answerer.answer(tenant.get(), query, true);
                        if (answer.isPresent()) {
                            socket.send(new DatagramPacket(answer.get(), answer.get().length, client));
                        }
                    } catch (IOException e) {
                        if (!socket.isClosed()) {
                            LOG.log(System.Logger.Level.DEBUG, "egress DNS: UDP answer to " + client + " failed", e);
                        }
                    } finally {
                        slots.release(tenant.get().sandbox());
                    }
                });
            } catch (RejectedExecutionException e) {
                slots.release(tenant.get().sandbox());
            }
        }
    }
}
