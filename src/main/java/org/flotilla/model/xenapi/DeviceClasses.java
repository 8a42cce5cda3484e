package org.flotilla.model.xenapi;

import static org.flotilla.model.Type.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;

final class DeviceClasses {
    private DeviceClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(pci(), pgpu(), gpuGroup(), vgpu(), vgpuType(), pusb(), usbGroup(), vusb());
    }

    static ClassDef.Builder pci() {
        return ClassDef.of("PCI", "")
                .ro("class_name", STRING)
                .ro("vendor_name", STRING)
                .ro("device_name", STRING)
                .ro("host", ref("host"))
                .ro("pci_id", STRING)
                .dyn("dependencies", setOf(ref("PCI")))
                .rw("other_config", mapOf(STRING, STRING))
                .ro("subsystem_vendor_name", STRING)
                .ro("subsystem_device_name", STRING)
                .ro("driver_name", STRING);
    }

    static ClassDef.Builder pgpu() {
        return ClassDef.of("PGPU", "")
                .ro("PCI", ref("PCI"))
                .ro("GPU_group", ref("GPU_group"))
                .dyn("host", ref("host"))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("supported_VGPU_types", setOf(ref("VGPU_type")))
                .dyn("enabled_VGPU_types", setOf(ref("VGPU_type")))
                .relation("resident_VGPUs", "VGPU", "resident_on")
                .dyn("supported_VGPU_max_capacities", mapOf(ref("VGPU_type"), INT))
                .dyn("dom0_access", Enums.PGPU_DOM0_ACCESS, "enabled")
                .dyn("is_system_display_device", BOOL)
                .dyn("compatibility_metadata", mapOf(STRING, STRING));
    }

    static ClassDef.Builder gpuGroup() {
        return ClassDef.of("GPU_group", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .relation("PGPUs", "PGPU", "GPU_group")
                .relation("VGPUs", "VGPU", "GPU_group")
                .dyn("GPU_types", setOf(STRING))
                .rw("other_config", mapOf(STRING, STRING))
                .rw("allocation_algorithm", Enums.ALLOCATION_ALGORITHM, "depth_first")
                .dyn("supported_VGPU_types", setOf(ref("VGPU_type")))
                .dyn("enabled_VGPU_types", setOf(ref("VGPU_type")));
    }

    static ClassDef.Builder vgpu() {
        return ClassDef.of("VGPU", "")
                .dyn("VM", ref("VM"))
                .dyn("GPU_group", ref("GPU_group"))
                .dyn("device", STRING, "0")
                .dyn("currently_attached", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("type", ref("VGPU_type"))
                .dyn("resident_on", ref("PGPU"))
                .dyn("scheduled_to_be_resident_on", ref("PGPU"))
                .dyn("compatibility_metadata", mapOf(STRING, STRING))
                .rw("extra_args", STRING)
                .dyn("PCI", ref("PCI"));
    }

    static ClassDef.Builder vgpuType() {
        return ClassDef.of("VGPU_type", "")
                .ro("vendor_name", STRING)
                .ro("model_name", STRING)
                .ro("framebuffer_size", INT)
                .ro("max_heads", INT)
                .ro("max_resolution_x", INT)
                .ro("max_resolution_y", INT)
                .dyn("supported_on_PGPUs", setOf(ref("PGPU")))
                .dyn("enabled_on_PGPUs", setOf(ref("PGPU")))
                .relation("VGPUs", "VGPU", "type")
                .dyn("supported_on_GPU_groups", setOf(ref("GPU_group")))
                .dyn("enabled_on_GPU_groups", setOf(ref("GPU_group")))
                .ro("implementation", Enums.VGPU_TYPE_IMPLEMENTATION, "passthrough")
                .ro("identifier", STRING)
                .ro("experimental", BOOL)
                .dyn("compatible_types_in_vm", setOf(ref("VGPU_type")));
    }

    static ClassDef.Builder pusb() {
        return ClassDef.of("PUSB", "")
                .ro("USB_group", ref("USB_group"))
                .ro("host", ref("host"))
                .ro("path", STRING)
                .ro("vendor_id", STRING)
                .ro("vendor_desc", STRING)
                .ro("product_id", STRING)
                .ro("product_desc", STRING)
                .ro("serial", STRING)
                .ro("version", STRING)
                .ro("description", STRING)
                .dyn("passthrough_enabled", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .ro("speed", FLOAT, -1.0);
    }

    static ClassDef.Builder usbGroup() {
        return ClassDef.of("USB_group", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .relation("PUSBs", "PUSB", "USB_group")
                .relation("VUSBs", "VUSB", "USB_group")
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder vusb() {
        return ClassDef.of("VUSB", "")
                .dyn("allowed_operations", setOf(Enums.VUSB_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VUSB_OPERATIONS))
                .dyn("VM", ref("VM"))
                .dyn("USB_group", ref("USB_group"))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("currently_attached", BOOL);
    }
}
