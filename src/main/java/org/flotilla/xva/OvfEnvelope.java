package org.flotilla.xva;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.flotilla.model.ApiError;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * An OVF descriptor (DMTF DSP0243, versions 1 and 2, as VMware, VirtualBox and qemu-based tools write it), read into
 * what an import maps: the package's files (References), its disks (DiskSection), and each VirtualSystem — at the top
 * or in a VirtualSystemCollection, so one package holds many VMs — with its name, CPUs, memory, disks, CD drives, NICs
 * and firmware, and the hardware items that have no counterpart here. Elements are matched by local name, so both
 * OVF namespaces and the several rasd/vssd schema versions read alike. The XML is parsed with no DOCTYPE allowed: no
 * entity, external or internal, is ever expanded, so a descriptor cannot make the daemon read a host file.
 */
record OvfEnvelope(Map<String, FileRef> files, Map<String, Disk> disks, List<VirtualSystem> systems) {
    /** A descriptor larger than this is refused before it is read: it describes, it does not hold data. */
    static final int MAX_BYTES = 4 << 20;

    /** A file of the package: its id, its name in the package, its declared size (-1 if not given). */
    record FileRef(String id, String href, long size) {}

    /** A virtual disk: its id, the file holding its image, its capacity in bytes (-1 if not given). */
    record Disk(String id, String fileRef, long capacity) {}

    /** A device of a VM that is mapped. */
    sealed interface Device {}

    /** A disk drive holding {@code diskId} of the DiskSection. */
    record DiskDrive(String diskId, String label) implements Device {}

    /** A CD/DVD drive, made empty: the package carries no medium for it. */
    record CdDrive(String label) implements Device {}

    /** A NIC on the network named {@code network} (as the NetworkSection names it), with its MAC if one is given. */
    record Nic(String network, String mac, String label) implements Device {}

    /** One VM: the fields it maps to, its devices in the order the descriptor lists them, and what was not mapped. */
    record VirtualSystem(String id, String name, String description, long vcpus, long memory, boolean uefi, boolean secureBoot,
                         String os, List<Device> devices, List<String> unmapped) {}

    private static final Pattern UNITS = Pattern.compile("byte\\s*(?:\\*\\s*(\\d+)\\s*\\^\\s*(\\d+))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}");
    private static final String DISK_PREFIX = "ovf:/disk/";
    /** CIM ResourceType values (CIM_ResourceAllocationSettingData) that an import maps, or knows to need no mapping. */
    private static final int CPU = 3, MEMORY = 4, IDE = 5, SCSI = 6, NIC = 10, CD = 15, DVD = 16, DISK = 17, SATA = 20, VIDEO = 24;
    private static final Map<Integer, String> UNMAPPED_KINDS = Map.of(1, "other device", 14, "floppy drive", 21, "serial or parallel port",
            23, "USB controller", 35, "sound card", 13, "parallel port", 22, "I/O slot", 19, "storage extent");

    /** Reads a descriptor; anything that is not one, or that declares a DOCTYPE, is IMPORT_ERROR. */
    static OvfEnvelope read(byte[] xml) {
        Element root;
        try {
            var f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            var builder = f.newDocumentBuilder();
            builder.setErrorHandler(null);
            root = builder.parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (Exception e) {
            throw ApiError.of("IMPORT_ERROR", "the OVF descriptor is not XML that is read here: " + e.getMessage());
        }
        if (!root.getLocalName().equals("Envelope")) throw ApiError.of("IMPORT_ERROR", "the OVF descriptor is not an Envelope but " + root.getLocalName());
        var files = new LinkedHashMap<String, FileRef>();
        for (Element refs : children(root, "References")) {
            for (Element file : children(refs, "File")) {
                String id = attr(file, "id");
                String href = attr(file, "href");
                if (id.isEmpty() || href.isEmpty()) throw ApiError.of("IMPORT_ERROR", "a File without id or href");
                // a file gzipped inside the package, or split in chunks (href.000000000, ...): neither is read here
                if (!attr(file, "compression").isEmpty() && !attr(file, "compression").equals("identity")) {
                    throw ApiError.of("IMPORT_ERROR", "file " + href + " is compressed (" + attr(file, "compression") + "), which is not imported");
                }
                if (!attr(file, "chunkSize").isEmpty()) throw ApiError.of("IMPORT_ERROR", "file " + href + " is split in chunks, which is not imported");
                files.put(id, new FileRef(id, href, number(attr(file, "size"), "File " + id + " size", -1)));
            }
        }
        var disks = new LinkedHashMap<String, Disk>();
        for (Element section : children(root, "DiskSection")) {
            for (Element disk : children(section, "Disk")) {
                String id = attr(disk, "diskId");
                String fileRef = attr(disk, "fileRef");
                if (fileRef.isEmpty()) throw ApiError.of("IMPORT_ERROR", "disk " + id + " has no file (a blank disk is not imported)");
                if (!files.containsKey(fileRef)) throw ApiError.of("IMPORT_ERROR", "disk " + id + " names file " + fileRef + ", which References does not list");
                long capacity = number(attr(disk, "capacity"), "disk " + id + " capacity", -1);
                if (capacity >= 0) capacity = scaled(capacity, attr(disk, "capacityAllocationUnits"), "disk " + id);
                disks.put(id, new Disk(id, fileRef, capacity));
            }
        }
        var systems = new ArrayList<VirtualSystem>();
        collect(root, disks, systems);
        if (systems.isEmpty()) throw ApiError.of("IMPORT_ERROR", "the OVF descriptor holds no VirtualSystem");
        return new OvfEnvelope(files, disks, systems);
    }

    private static void collect(Element parent, Map<String, Disk> disks, List<VirtualSystem> out) {
        for (Element e : children(parent, null)) {
            if (e.getLocalName().equals("VirtualSystemCollection")) collect(e, disks, out);
            else if (e.getLocalName().equals("VirtualSystem")) out.add(system(e, disks));
        }
    }

    private static VirtualSystem system(Element vs, Map<String, Disk> disks) {
        String id = attr(vs, "id");
        String name = text(first(vs, "Name"));
        if (name.isEmpty()) name = id;
        String description = "";
        for (Element a : children(vs, "AnnotationSection")) description = text(first(a, "Annotation"));
        String os = "";
        for (Element o : children(vs, "OperatingSystemSection")) {
            os = text(first(o, "Description"));
            if (os.isEmpty()) os = attr(o, "osType");
        }
        Element hw = first(vs, "VirtualHardwareSection");
        if (hw == null) throw ApiError.of("IMPORT_ERROR", "VirtualSystem " + id + " has no VirtualHardwareSection");
        long vcpus = 1;
        long memory = -1;
        boolean uefi = false;
        boolean secureBoot = false;
        var devices = new ArrayList<Device>();
        var unmapped = new ArrayList<String>();
        for (Element sys : children(hw, "System")) uefi |= text(first(sys, "VirtualSystemType")).toLowerCase(Locale.ROOT).contains("efi");
        for (Element c : children(hw, "Config")) {
            String key = attr(c, "key");
            String value = attr(c, "value").toLowerCase(Locale.ROOT);
            if (key.equals("firmware")) uefi = value.equals("efi");
            if (key.equals("uefi.secureBoot.enabled")) secureBoot = value.equals("true");
        }
        for (Element item : children(hw, null)) {
            if (!item.getLocalName().endsWith("Item")) continue;
            int type = (int) number(text(first(item, "ResourceType")), "ResourceType", 0);
            String label = text(first(item, "ElementName"));
            if (label.isEmpty()) label = text(first(item, "Caption"));
            String where = "VirtualSystem " + name + " item " + (label.isEmpty() ? text(first(item, "InstanceID")) : label);
            switch (type) {
                case CPU -> vcpus = Math.max(1, number(text(first(item, "VirtualQuantity")), where, 1));
                case MEMORY -> memory = scaled(number(text(first(item, "VirtualQuantity")), where, 0), text(first(item, "AllocationUnits")), where);
                case DISK -> {
                    String resource = text(first(item, "HostResource"));
                    if (!resource.startsWith(DISK_PREFIX) && !resource.startsWith("/disk/")) {
                        throw ApiError.of("IMPORT_ERROR", where + " names disk " + resource + ", which is not ovf:/disk/<id>");
                    }
                    String disk = resource.substring(resource.lastIndexOf('/') + 1);
                    if (!disks.containsKey(disk)) throw ApiError.of("IMPORT_ERROR", where + " names disk " + disk + ", which DiskSection does not list");
                    devices.add(new DiskDrive(disk, label));
                }
                case CD, DVD -> devices.add(new CdDrive(label));
                case NIC -> {
                    String mac = text(first(item, "Address"));
                    devices.add(new Nic(text(first(item, "Connection")), MAC.matcher(mac).matches() ? mac.replace('-', ':').toLowerCase(Locale.ROOT) : "", label));
                }
                case IDE, SCSI, SATA, VIDEO -> { } // disks and NICs are attached as Flotilla attaches them; the display is QEMU's own
                default -> unmapped.add(UNMAPPED_KINDS.getOrDefault(type, "device of ResourceType " + type) + (label.isEmpty() ? "" : " '" + label + "'"));
            }
        }
        if (memory <= 0) throw ApiError.of("IMPORT_ERROR", "VirtualSystem " + name + " declares no memory");
        return new VirtualSystem(id, name, description, vcpus, memory, uefi, secureBoot, os, List.copyOf(devices), List.copyOf(unmapped));
    }

    /** {@code value} in {@code units} (DSP0004's programmatic units: {@code byte * 2^20}; or KiloBytes, MegaBytes, GigaBytes), in bytes. */
    static long scaled(long value, String units, String where) {
        String u = units.strip();
        BigInteger factor;
        Matcher m = UNITS.matcher(u);
        if (u.isEmpty()) factor = BigInteger.ONE;
        else if (m.matches()) factor = m.group(1) == null ? BigInteger.ONE : new BigInteger(m.group(1)).pow(Integer.parseInt(m.group(2)));
        else factor = switch (u.toLowerCase(Locale.ROOT)) {
            case "kilobytes", "kb" -> BigInteger.ONE.shiftLeft(10);
            case "megabytes", "mb" -> BigInteger.ONE.shiftLeft(20);
            case "gigabytes", "gb" -> BigInteger.ONE.shiftLeft(30);
            default -> throw ApiError.of("IMPORT_ERROR", where + ": units " + units + " are not read here");
        };
        BigInteger bytes = BigInteger.valueOf(value).multiply(factor);
        if (bytes.bitLength() > 62) throw ApiError.of("IMPORT_ERROR", where + ": " + value + " " + units + " is beyond any disk or memory");
        return bytes.longValue();
    }

    private static long number(String s, String where, long absent) {
        if (s.isBlank()) return absent;
        try {
            long v = Long.parseLong(s.strip());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.of("IMPORT_ERROR", where + ": " + s + " is not a number");
        }
    }

    /** The element's attribute of local name {@code name}, in whichever namespace (ovf:, vmw:, or none); "" if absent. */
    private static String attr(Element e, String name) {
        var attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Node a = attrs.item(i);
            String local = a.getLocalName() == null ? a.getNodeName() : a.getLocalName();
            if (local.equals(name)) return a.getNodeValue().strip();
        }
        return "";
    }

    private static List<Element> children(Element parent, String localName) {
        var out = new ArrayList<Element>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (localName == null || localName.equals(e.getLocalName()))) out.add(e);
        }
        return out;
    }

    private static Element first(Element parent, String localName) {
        var c = children(parent, localName);
        return c.isEmpty() ? null : c.getFirst();
    }

    private static String text(Element e) { return e == null ? "" : e.getTextContent().strip(); }
}
