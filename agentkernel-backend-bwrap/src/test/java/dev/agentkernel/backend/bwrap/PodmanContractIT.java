package dev.agentkernel.backend.bwrap;

/** {@link BackendContractIT} on the podman backend (podman with runc under it). */
class PodmanContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "podman";
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
