package org.flotilla.actions;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Probe_result;
import org.flotilla.model.xenapi.SR;
import org.flotilla.storage.SmConfigEdits;
import org.flotilla.storage.Srs;

/** SR's messages: storage repositories of this host, their records and directories. */
public final class SrActions implements SR.Actions {
    private final Srs srs;
    private final SmConfigEdits<SR> smConfig;

    public SrActions(Srs srs, SmConfigEdits<SR> smConfig) {
        this.srs = srs;
        this.smConfig = smConfig;
    }

    /** {@code physical_size} is not the client's to choose: the SR's size is its file system's. */
    @Override
    public Ref<SR> create(Ref<Host> host, Map<String, String> device_config, long physical_size, String name_label, String name_description,
                          String type, String content_type, boolean shared, Map<String, String> sm_config) {
        return srs.create(host, device_config, name_label, name_description, type, content_type, shared, sm_config);
    }

    @Override
    public Ref<SR> introduce(String uuid, String name_label, String name_description, String type, String content_type, boolean shared,
                             Map<String, String> sm_config) {
        return srs.introduce(uuid, name_label, name_description, type, content_type, shared, sm_config);
    }

    @Override public void destroy(Ref<SR> sr) { srs.destroy(sr); }

    @Override public void forget(Ref<SR> sr) { srs.forget(sr); }

    @Override public void update(Ref<SR> sr) { srs.update(sr); }

    @Override public void scan(Ref<SR> sr) { srs.scan(sr); }

    @Override
    public String probe(Ref<Host> host, Map<String, String> device_config, String type, Map<String, String> sm_config) {
        return srs.probe(host, device_config, type);
    }

    @Override
    public List<Rec<Probe_result>> probe_ext(Ref<Host> host, Map<String, String> device_config, String type, Map<String, String> sm_config) {
        srs.probeExt(host, type);
        return List.of();
    }

    @Override public List<String> get_supported_types() { return srs.supportedTypes(); }

    @Override public void set_shared(Ref<SR> sr, boolean value) { srs.setShared(sr, value); }

    @Override public void set_name_label(Ref<SR> sr, String value) { srs.setNameLabel(sr, value); }

    @Override public void set_name_description(Ref<SR> sr, String value) { srs.setNameDescription(sr, value); }

    @Override public void set_sm_config(Ref<SR> self, Map<String, String> value) { smConfig.set(self, value); }

    @Override public void add_to_sm_config(Ref<SR> self, String key, String value) { smConfig.add(self, key, value); }

    @Override public void remove_from_sm_config(Ref<SR> self, String key) { smConfig.remove(self, key); }
}
