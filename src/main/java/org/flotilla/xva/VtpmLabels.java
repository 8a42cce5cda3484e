package org.flotilla.xva;

import java.util.Locale;
import java.util.Map;

/**
 * The member names of a vTPM in ova.xml. XAPI writes its vTPM not as an API record but as a record type of its own
 * (importexport.ml's vtpm'), whose serialiser names each member by its OCaml label; its reader matches them without
 * regard to case, and so does {@link #get}.
 */
final class VtpmLabels {
    static final String VM = "vTPM'_VM";
    static final String UUID = "vTPM'_uuid";
    static final String IS_UNIQUE = "vTPM'_is_unique";
    static final String IS_PROTECTED = "vTPM'_is_protected";
    static final String CONTENT = "vTPM'_content";

    private VtpmLabels() {}

    static Object get(Map<String, Object> vtpm, String label) {
        for (var e : vtpm.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(label.toLowerCase(Locale.ROOT))) return e.getValue();
        }
        return null;
    }
}
