package io.millrace.api;

import java.time.Duration;

/** The decision about a connect: accept, reject (with an application object), or redirect elsewhere. */
public interface ConnectDecision extends Decision {

    /** Rejects with a description and no application object. */
    @Override
    default void reject(String description) {
        reject(description, null);
    }

    /**
     * Rejects: the client gets {@code NetConnection.Connect.Rejected} with this description, and the
     * {@code application} property holds {@code application} (FMS's {@code rejectConnection(client, obj)}).
     */
    void reject(String description, Object application);

    /**
     * Sends the client elsewhere (FMS's {@code redirectConnection}): {@code NetConnection.Connect.Rejected}
     * with {@code ex.code} 302 and {@code ex.redirect} = {@code uri}.
     */
    void redirect(String uri, String description);

    @Override
    ConnectPending async(Duration timeout, Fallback fallback);

    /** A connect decision to be completed later. */
    interface ConnectPending extends Pending {
        /** @return false when the decision was already taken */
        boolean reject(String description, Object application);

        /** @return false when the decision was already taken */
        boolean redirect(String uri, String description);

        @Override
        default boolean reject(String description) {
            return reject(description, null);
        }
    }
}
