package org.flotilla.raft;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The member's one key and chain, offered whatever the peer asks for: the peer trusts by pinned certificate,
 * not by issuer, so the issuers it names (none) must not make this side withhold its certificate.
 */
final class OwnKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "member";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    OwnKeyManager(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = chain.toArray(X509Certificate[]::new);
    }

    X509Certificate certificate() { return chain[0]; }

    private String[] aliasFor(String keyType) { return fits(keyType) ? new String[] {ALIAS} : null; }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes == null) return ALIAS;
        for (String t : keyTypes) if (fits(t)) return ALIAS;
        return null;
    }

    /** Whether the key is of a type the handshake asks for ("RSA", "EC", "EC_EC", "RSASSA-PSS"…; null for any). */
    private boolean fits(String keyType) {
        if (keyType == null) return true;
        String algorithm = key.getAlgorithm();
        String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        return wanted.equalsIgnoreCase(algorithm) || (wanted.equals("EC") && algorithm.equals("ECDSA"))
                || (wanted.equals("RSASSA-PSS") && algorithm.equals("RSA"));
    }

    @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return aliasFor(keyType); }

    @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return aliasFor(keyType); }

    @Override public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) { return aliasFor(keyTypes); }

    @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return aliasFor(new String[] {keyType}); }

    @Override public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) { return aliasFor(keyTypes); }

    @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) { return aliasFor(new String[] {keyType}); }

    @Override public X509Certificate[] getCertificateChain(String alias) { return ALIAS.equals(alias) ? chain.clone() : null; }

    @Override public PrivateKey getPrivateKey(String alias) { return ALIAS.equals(alias) ? key : null; }
}
