package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

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
                DbObject<?> old = db.where("SM", s -> d.type().equals(s.get("type"))).stream().findFirst().orElse(null);
                var sm = new LinkedHashMap<String, Object>();
                sm.put("uuid", old == null ? Refs.newUuid() : old.uuid());
                sm.put("name_label", d.smName());
                sm.put("name_description", d.smDescription());
                sm.put("type", d.type());
                sm.put("vendor", "Flotilla");
                sm.put("copyright", "(C) Flotilla contributors");
                sm.put("version", "1.0");
                sm.put("required_api_version", "1.0");
                sm.put("configuration", d.smConfiguration());
                sm.put("capabilities", d.capabilities());
                var features = new LinkedHashMap<String, Long>();
                for (String cap : d.capabilities()) features.put(cap, 1L);
                sm.put("features", Collections.unmodifiableMap(features));
                sm.put("other_config", old == null ? Map.of() : old.get("other_config"));
                sm.put("driver_filename", d.getClass().getName());
                tx.put("SM", old == null ? Refs.newRef() : old.ref(), sm);
            }
        });
    }
}
