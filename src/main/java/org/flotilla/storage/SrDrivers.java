package org.flotilla.storage;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.SR;

/** The SR types this host knows, each with its {@link SrDriver}, in the order SR.get_supported_types lists them. */
final class SrDrivers {
    private final Map<String, SrDriver> byType = new LinkedHashMap<>();

    SrDrivers() {
        byType.put(LocalFileSr.TYPE, new LocalFileSr());
        byType.put(IsoSr.TYPE, new IsoSr());
        byType.put(NfsSr.TYPE, new NfsSr());
        byType.put(IscsiSr.TYPE, new IscsiSr());
    }

    List<String> types() { return List.copyOf(byType.keySet()); }

    Collection<SrDriver> all() { return byType.values(); }

    /** The driver for an SR.type as a client spells it (any case), or null. */
    SrDriver ofType(String type) { return byType.get(type.toLowerCase(Locale.ROOT)); }

    /** The driver of an existing SR record: SR_UNKNOWN_DRIVER for a type this host has no driver for (an introduced SR). */
    SrDriver of(DbObject<SR> sr) {
        SrDriver d = byType.get(sr.get(SR.type));
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", sr.get(SR.type));
        return d;
    }

    /** The driver of an SR whose VDIs may be made and changed: SR_OPERATION_NOT_SUPPORTED for an ISO library. */
    SrDriver managing(DbObject<SR> sr) {
        SrDriver d = of(sr);
        if (!d.managesDisks()) throw ApiError.of("SR_OPERATION_NOT_SUPPORTED", sr.ref());
        return d;
    }
}
