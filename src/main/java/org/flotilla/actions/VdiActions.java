package org.flotilla.actions;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.Vdi_nbd_server_info;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.storage.ChangedBlocks;
import org.flotilla.storage.NbdExports;
import org.flotilla.storage.SmConfigEdits;
import org.flotilla.storage.VdiChains;
import org.flotilla.storage.Vdis;

/** VDI's messages: the disks of the host's SRs, their images and chains, and moving a running VM's disk ({@link VmRuntime}). */
public final class VdiActions implements VDI.Actions {
    private final Vdis vdis;
    private final VdiChains chains;
    private final ChangedBlocks changedBlocks;
    private final NbdExports nbd;
    private final SmConfigEdits<VDI> smConfig;
    private final VmRuntime runtime;

    public VdiActions(Vdis vdis, VdiChains chains, ChangedBlocks changedBlocks, NbdExports nbd, SmConfigEdits<VDI> smConfig, VmRuntime runtime) {
        this.vdis = vdis;
        this.chains = chains;
        this.changedBlocks = changedBlocks;
        this.nbd = nbd;
        this.smConfig = smConfig;
        this.runtime = runtime;
    }

    @Override public Ref<VDI> create(Rec<VDI> args) { return vdis.create(args); }

    @Override public void destroy(Ref<VDI> self) { vdis.destroy(self); }

    /** The file SR's snapshots take no driver parameters. */
    @Override public Ref<VDI> snapshot(Ref<VDI> vdi, Map<String, String> driver_params) { return chains.snapshot(vdi); }

    @Override public Ref<VDI> clone(Ref<VDI> vdi, Map<String, String> driver_params) { return chains.clone(vdi); }

    @Override public void resize(Ref<VDI> vdi, long size) { vdis.resize(vdi, size); }

    /** The same as resize: a disk a running VM has open is grown through its QEMU. */
    @Override public void resize_online(Ref<VDI> vdi, long size) { vdis.resize(vdi, size); }

    /** The sizes are read from the image, and metadata_of_pool is no disk of this SR's: the client's values are not taken. */
    @Override
    public Ref<VDI> introduce(String uuid, String name_label, String name_description, Ref<SR> SR, VdiType type, boolean sharable,
                              boolean read_only, Map<String, String> other_config, String location, Map<String, String> xenstore_data,
                              Map<String, String> sm_config, boolean managed, long virtual_size, long physical_utilisation,
                              Ref<Pool> metadata_of_pool, boolean is_a_snapshot, Instant snapshot_time, Ref<VDI> snapshot_of) {
        return vdis.introduce(Rec.empty(VDI.CLASS)
                .set(VDI.uuid, uuid)
                .set(VDI.name_label, name_label)
                .set(VDI.name_description, name_description)
                .set(VDI.SR, SR)
                .set(VDI.type, type)
                .set(VDI.sharable, sharable)
                .set(VDI.read_only, read_only)
                .set(VDI.other_config, other_config)
                .set(VDI.location, location)
                .set(VDI.xenstore_data, xenstore_data)
                .set(VDI.sm_config, sm_config)
                .set(VDI.managed, managed)
                .set(VDI.is_a_snapshot, is_a_snapshot)
                .set(VDI.snapshot_time, snapshot_time)
                .set(VDI.snapshot_of, snapshot_of));
    }

    @Override public void forget(Ref<VDI> vdi) { vdis.forget(vdi); }

    @Override public void update(Ref<VDI> vdi) { vdis.update(vdi); }

    /** base_vdi names what the destination already holds, for a delta: a full copy needs none. */
    @Override
    public Ref<VDI> copy(Ref<VDI> vdi, Ref<SR> sr, Ref<VDI> base_vdi, Ref<VDI> into_vdi) {
        return vdis.copy(vdi, sr, into_vdi, Call.current().task());
    }

    /** The image stays in the format the target SR makes (qcow2): dest-img-format is not taken. */
    @Override
    public Ref<VDI> pool_migrate(Ref<VDI> vdi, Ref<SR> sr, Map<String, String> options) {
        changedBlocks.requireUntracked(vdi);
        return runtime.vdiPoolMigrate(Call.current(), vdi, sr);
    }

    @Override public void enable_cbt(Ref<VDI> self) { changedBlocks.setTracking(self, true); }

    @Override public void disable_cbt(Ref<VDI> self) { changedBlocks.setTracking(self, false); }

    @Override public void data_destroy(Ref<VDI> self) { changedBlocks.dataDestroy(self); }

    @Override public String list_changed_blocks(Ref<VDI> vdi_from, Ref<VDI> vdi_to) { return changedBlocks.list(vdi_from, vdi_to); }

    @Override public List<Rec<Vdi_nbd_server_info>> get_nbd_info(Ref<VDI> self) { return nbd.info(self, Call.current().session()); }

    @Override public void set_name_label(Ref<VDI> self, String value) { vdis.setNameLabel(self, value); }

    @Override public void set_name_description(Ref<VDI> self, String value) { vdis.setNameDescription(self, value); }

    @Override public void set_sm_config(Ref<VDI> self, Map<String, String> value) { smConfig.set(self, value); }

    @Override public void add_to_sm_config(Ref<VDI> self, String key, String value) { smConfig.add(self, key, value); }

    @Override public void remove_from_sm_config(Ref<VDI> self, String key) { smConfig.remove(self, key); }
}
