package dev.agentkernel.backend.bwrap;

/** {@link BackendContractIT} on the gvisor backend. */
class GvisorContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "gvisor";
    }

    @Override
    boolean hostKernel() {
        return false;
    }

    @Override
    boolean network() {
        return false;
    }

    /** gVisor's kernel and its Go runtime need memory of their own before the sandbox's code gets any. */
    @Override
    long minimumMemoryMb() {
        return 256;
    }
}
