package org.flotilla.server;

import java.util.List;

/**
 * Whether a request's {@code Accept-Encoding} takes gzip (RFC 9110 12.5.3): named with a quality above zero, or not
 * named and {@code *} above zero. Python's xmlrpc.client asks for gzip, and so do Python's requests and Go's HTTP
 * client, which inflate what they get; Xen Orchestra's client, the XenServer SDKs and xe do not ask.
 */
final class AcceptedCodings {
    private AcceptedCodings() {}

    static boolean gzip(List<String> acceptEncoding) {
        Double gzip = null;
        Double any = null;
        for (String header : acceptEncoding) {
            for (String coding : header.split(",")) {
                String[] parts = coding.split(";");
                String name = parts[0].trim();
                if (name.equalsIgnoreCase("gzip") || name.equalsIgnoreCase("x-gzip")) gzip = quality(parts);
                else if (name.equals("*")) any = quality(parts);
            }
        }
        if (gzip != null) return gzip > 0;
        return any != null && any > 0;
    }

    /** The coding's {@code q}, 1 when it has none, 0 (refused) when it is not a number. */
    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
