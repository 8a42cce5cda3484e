package org.flotilla.raft;

import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;

/** A member of the pool's group: its id (the host's uuid in a pool) and where its Raft server listens. */
public record Peer(String id, String host, int port) {
    public Peer {
        if (id.isBlank()) throw new IllegalArgumentException("a peer needs an id");
    }

    /** host:port, with an IPv6 host in brackets. */
    public String address() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }

    RaftPeer toRaft(RaftPeerRole role) {
        return RaftPeer.newBuilder().setId(id).setAddress(address()).setStartupRole(role).build();
    }

    static Peer of(RaftPeer p) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        return new Peer(p.getId().toString(), host, Integer.parseInt(address.substring(colon + 1)));
    }
}
