package org.flotilla.storage;

import java.nio.file.Path;

/**
 * An NBD export on another host that a disk is copied into: its address and port, its name, and the TLS it takes —
 * the {@code tls-creds-x509} directory of a client's (its key, its certificate, and the server's, the one it trusts)
 * and the name the server's certificate must carry.
 */
public record NbdTarget(String address, int port, String export, Path tlsDir, String tlsHostname) {}
