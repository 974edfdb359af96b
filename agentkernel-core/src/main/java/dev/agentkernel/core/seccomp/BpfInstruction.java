package dev.agentkernel.core.seccomp;

import java.nio.ByteBuffer;

/**
 * One classic-BPF instruction, the kernel's {@code struct sock_filter}: a 16-bit opcode, 8-bit
 * jump offsets for the true and false branches (relative to the next instruction) and a 32-bit
 * constant. Encoded as 8 little-endian bytes.
 *
 * @param code opcode, 0..0xFFFF
 * @param jt   instructions to skip when a conditional jump is taken, 0..255
 * @param jf   instructions to skip when it is not taken, 0..255
 * @param k    constant operand
 */
record BpfInstruction(int code, int jt, int jf, int k) {
    /** Size of one encoded instruction in bytes. */
    static final int SIZE = 8;

    private static final int LD_W_ABS = 0x20;
    private static final int JMP_JEQ_K = 0x15;
    private static final int JMP_JGE_K = 0x35;
    private static final int JMP_JSET_K = 0x45;
    private static final int RET_K = 0x06;

    /** Rejects field values that do not fit {@code struct sock_filter}. */
    BpfInstruction {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("BPF opcode out of range: " + code);
        }
        if (jt < 0 || jt > 0xFF || jf < 0 || jf > 0xFF) {
            throw new IllegalArgumentException("BPF jump offset out of range: jt=" + jt + " jf=" + jf);
        }
    }

    /** {@code A = *(u32 *)(seccomp_data + offset)}. */
    static BpfInstruction loadWord(int offset) {
        return new BpfInstruction(LD_W_ABS, 0, 0, offset);
    }

    /** {@code pc += (A == k) ? jt : jf}. */
    static BpfInstruction jumpIfEqual(int k, int jt, int jf) {
        return new BpfInstruction(JMP_JEQ_K, jt, jf, k);
    }

    /** {@code pc += (A >= k, unsigned) ? jt : jf}. */
    static BpfInstruction jumpIfAtLeast(int k, int jt, int jf) {
        return new BpfInstruction(JMP_JGE_K, jt, jf, k);
    }

    /** {@code pc += (A & k) != 0 ? jt : jf}. */
    static BpfInstruction jumpIfAnyBit(int k, int jt, int jf) {
        return new BpfInstruction(JMP_JSET_K, jt, jf, k);
    }

    /** Ends the program with seccomp action {@code k}. */
    static BpfInstruction ret(int k) {
        return new BpfInstruction(RET_K, 0, 0, k);
    }

    /** Appends the 8-byte encoding; the buffer must be little-endian. */
    void writeTo(ByteBuffer buffer) {
        buffer.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
