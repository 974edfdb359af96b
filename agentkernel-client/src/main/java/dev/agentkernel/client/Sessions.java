package dev.agentkernel.client;

import java.util.List;

/** The code sessions of a client ({@link AgentKernel#sessions()}): one verb per action. */
public final class Sessions {

    private final AgentKernel client;

    Sessions(AgentKernel client) {
        this.client = client;
    }

    /**
     * Runs code in a session.
     *
     * @param code    the code
     * @param options template, session, flavor, timeout, volumes
     * @return its result
     */
    public CodeResult execute(String code, CodeOptions options) {
        return client.executeCode(code, options);
    }

    /**
     * Lists them.
     *
     * @return the open sessions
     */
    public List<SessionInfo> list() {
        return client.listSessions();
    }

    /**
     * Looks one up.
     *
     * @param id the session
     * @return it
     */
    public SessionInfo get(String id) {
        return client.getSession(id);
    }

    /**
     * Ends one.
     *
     * @param id the session to end
     */
    public void delete(String id) {
        client.deleteSession(id);
    }

    /**
     * How the sessions use the host.
     *
     * @return the sessions' use of the host
     */
    public SessionStats stats() {
        return client.sessionStats();
    }

    /**
     * Opens one that is removed when closed.
     *
     * @param options template, flavor, volumes
     * @return a session that is deleted when closed
     */
    public CodeSession open(CodeOptions options) {
        return client.codeSession(options);
    }
}
