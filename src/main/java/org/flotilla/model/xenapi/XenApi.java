package org.flotilla.model.xenapi;

import java.util.ArrayList;
import java.util.List;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Model;

/** The XenAPI as Flotilla serves it: every class, field, message and error, declared once here. */
public final class XenApi {
    /** The API version Flotilla reports, that of a current XAPI. */
    public static final long API_VERSION_MAJOR = 2;
    public static final long API_VERSION_MINOR = 21;

    private static final Model MODEL = build();

    private XenApi() {}

    public static Model model() { return MODEL; }

    private static Model build() {
        List<ClassDef.Builder> builders = new ArrayList<>();
        builders.addAll(AccessClasses.all());
        builders.addAll(PoolClasses.all());
        builders.addAll(VmClasses.all());
        builders.addAll(StorageClasses.all());
        builders.addAll(NetworkClasses.all());
        builders.addAll(DeviceClasses.all());
        return new Model(builders.stream().map(ClassDef.Builder::build).toList(), Errors.all());
    }
}
