package org.flotilla.model.xenapi;

import java.util.List;
import org.flotilla.model.Declarations;
import org.flotilla.model.Model;

/**
 * The XenAPI as Flotilla serves it: every class, field, message and error, declared once — each class by the
 * interface of its name in this package (its fields as typed constants, its messages as the methods of its
 * {@code Actions}), its enumerations in {@code enums}, the errors in {@link Errors}.
 */
public final class XenApi {
    /** The API version Flotilla reports, that of a current XAPI. */
    public static final long API_VERSION_MAJOR = 2;
    public static final long API_VERSION_MINOR = 21;

    /** Every declared class, in the order the API lists them. */
    public static final List<Class<?>> DECLARATIONS = List.of(
            Session.class, Auth.class, Subject.class, Role.class, User.class, Secret.class, Certificate.class, Pool.class,
            Pool_patch.class, Pool_update.class, Host.class, Host_crashdump.class, Host_patch.class, Host_metrics.class, Host_cpu.class, Feature.class,
            Repository.class, Observer.class, Cluster.class, Cluster_host.class, Message.class, Blob.class, Task.class, Event.class,
            Data_source.class, DR_task.class, SDN_controller.class, VM.class, VM_metrics.class, VM_guest_metrics.class, VMPP.class, VMSS.class,
            VM_appliance.class, Console.class, Crashdump.class, VTPM.class, SM.class, SR.class, Sr_stat.class, Probe_result.class,
            LVHD.class, VDI.class, VBD.class, VBD_metrics.class, PBD.class, Vdi_nbd_server_info.class, PVS_site.class, PVS_server.class,
            PVS_proxy.class, PVS_cache_storage.class, Network.class, VIF.class, VIF_metrics.class, PIF.class, PIF_metrics.class, Bond.class,
            VLAN.class, Tunnel.class, Network_sriov.class, PCI.class, PGPU.class, GPU_group.class, VGPU.class, VGPU_type.class,
            PUSB.class, USB_group.class, VUSB.class);

    private static final Model MODEL = new Model(DECLARATIONS.stream().map(Declarations::classDef).toList(), Errors.all());

    private XenApi() {}

    public static Model model() { return MODEL; }
}
