package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.SM;

/** The SM records: one per driver, describing it as XAPI describes its storage plugins; their uuid and other_config kept. */
final class SmRecords {
    private final Database db;
    private final SrDrivers drivers;

    SmRecords(Database db, SrDrivers drivers) {
        this.db = db;
        this.drivers = drivers;
    }

    void ensure() {
        db.write(tx -> {
            for (SrDriver d : drivers.all()) {
                DbObject<SM> old = db.where(SM.CLASS, s -> d.type().equals(s.get(SM.type))).stream().findFirst().orElse(null);
                var features = new LinkedHashMap<String, Long>();
                for (String cap : d.capabilities()) features.put(cap, 1L);
                var sm = db.newRecord(SM.CLASS)
                        .set(SM.uuid, old == null ? Refs.newUuid() : old.get(SM.uuid))
                        .set(SM.name_label, d.smName())
                        .set(SM.name_description, d.smDescription())
                        .set(SM.type, d.type())
                        .set(SM.vendor, "Flotilla")
                        .set(SM.copyright, "(C) Flotilla contributors")
                        .set(SM.version, "1.0")
                        .set(SM.required_api_version, "1.0")
                        .set(SM.configuration, d.smConfiguration())
                        .set(SM.capabilities, d.capabilities())
                        .set(SM.features, Collections.unmodifiableMap(features))
                        .set(SM.other_config, old == null ? Map.of() : old.get(SM.other_config))
                        .set(SM.driver_filename, d.getClass().getName());
                tx.put(old == null ? Refs.newRef(SM.CLASS) : old.self(SM.CLASS), sm);
            }
        });
    }
}
