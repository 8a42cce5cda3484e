package org.flotilla.pool;

import java.util.Map;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;

/** A migration peer that passes every call on, for a test to change one. */
class ForwardingPeer implements MigrationPeer {
    private final MigrationPeer to;

    ForwardingPeer(MigrationPeer to) { this.to = to; }

    @Override public IncomingStream prepare(String vm, Map<String, String> disks, String certificate) { return to.prepare(vm, disks, certificate); }

    @Override public long finish(String vm, String token) { return to.finish(vm, token); }

    @Override public boolean abort(String vm, String token) { return to.abort(vm, token); }

    @Override public void history(String vm, String history) { to.history(vm, history); }
}
