/**
 * The pool database replicated with Raft (Apache Ratis): every member holds the whole database and applies
 * the transactions the group's log commits, in its order; the leader, which is the pool's coordinator, is the
 * only member that writes. Above {@code db}, which knows only the {@link org.flotilla.db.ReplicatedLog}
 * it commits through; Ratis stays inside this package.
 */
package org.flotilla.raft;
