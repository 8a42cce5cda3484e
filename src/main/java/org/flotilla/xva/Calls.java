package org.flotilla.xva;

import java.util.ArrayList;
import java.util.Arrays;
import org.flotilla.api.Rpc;

/**
 * XenAPI calls made with the HTTP client's own session, as XAPI's import and export run their database work in the
 * client's context: what the session may not do, the XVA handlers may not do for it.
 */
record Calls(Rpc rpc, String session) {
    Object call(String method, Object... params) {
        var args = new ArrayList<Object>();
        args.add(session);
        args.addAll(Arrays.asList(params));
        return rpc.call(method, args);
    }
}
