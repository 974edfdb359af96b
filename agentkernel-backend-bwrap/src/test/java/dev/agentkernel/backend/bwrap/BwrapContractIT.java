package dev.agentkernel.backend.bwrap;

/** {@link BackendContractIT} on the bwrap backend. */
class BwrapContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "bwrap";
    }

    @Override
    boolean hostKernel() {
        return true;
    }

    @Override
    boolean network() {
        return true;
    }
}
