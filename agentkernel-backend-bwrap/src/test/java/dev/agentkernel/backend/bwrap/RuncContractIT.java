package dev.agentkernel.backend.bwrap;

/** {@link BackendContractIT} on the runc backend. */
class RuncContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "runc";
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
