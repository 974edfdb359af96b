package dev.agentkernel.backend.bwrap;

/** {@link BackendContractIT} on the crun backend. */
class CrunContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "crun";
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
