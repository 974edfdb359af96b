package dev.agentkernel.backend.bwrap;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A range of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}), with the
 * bits below the prefix cleared.
 *
 * @param network the first address of the range
 * @param prefix  the number of leading bits that are fixed (0..32 for IPv4, 0..128 for IPv6)
 */
record AddressRange(InetAddress network, int prefix) {

    /** Validates and clears the host bits. */
    AddressRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix length " + prefix + " outside 0.." + bits);
        }
        network = masked(network, prefix);
    }

    /**
     * Parses {@code ADDRESS/PREFIX} (a single address without {@code /PREFIX} is a range of one);
     * only literal addresses, never names.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    static AddressRange parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range (e.g. 10.1.2.0/24)");
        }
        InetAddress network;
        try {
            network = InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range (e.g. 10.1.2.0/24)");
        }
        int bits = network.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length (0.." + bits + ")");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length (0.." + bits + ")");
        }
        return new AddressRange(network, prefix);
    }

    boolean ipv4() {
        return network instanceof Inet4Address;
    }

    /** Whether {@code other} lies entirely within this range (same family). */
    boolean contains(AddressRange other) {
        return other.ipv4() == ipv4() && other.prefix >= prefix && masked(other.network, prefix).equals(network);
    }

    /** Whether the two ranges have an address in common. */
    boolean overlaps(AddressRange other) {
        return contains(other) || other.contains(this);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        BigInteger value = new BigInteger(1, bytes);
        BigInteger mask = prefix == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(bits - prefix);
        byte[] raw = value.and(mask).toByteArray();
        byte[] out = new byte[bytes.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }
}
