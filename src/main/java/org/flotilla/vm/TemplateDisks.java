package org.flotilla.vm;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.enums.VdiType;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * A template's other_config:disks (xapi_templates.ml): the disks VM.provision makes for the VMs made from it, as
 * {@code <provision><disk device="0" size="…" sr="" bootable="true" type="system"/>…</provision>}.
 */
final class TemplateDisks {
    /** The other_config key. */
    static final String KEY = "disks";
    /** Disk types a template may ask for; any other is made a system disk, as XAPI does. */
    private static final Set<VdiType> TYPES = EnumSet.of(VdiType.system, VdiType.user, VdiType.ephemeral, VdiType.suspend, VdiType.crashdump);

    private TemplateDisks() {}

    /** One entry (xapi_templates.ml's disk record). */
    record DiskSpec(String device, long size, String sr, boolean bootable, VdiType type) {}

    static List<DiskSpec> parse(String xml) {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            var doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
            Element root = doc.getDocumentElement();
            if (!root.getTagName().equals("provision") || root.getAttributes().getLength() != 0) throw new IllegalArgumentException("not <provision>");
            var out = new ArrayList<DiskSpec>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeType() == Node.TEXT_NODE && n.getTextContent().isBlank()) continue;
                if (!(n instanceof Element e) || !e.getTagName().equals("disk") || e.hasChildNodes()) throw new IllegalArgumentException("not <disk/>");
                for (String a : List.of("device", "size", "sr", "bootable")) if (!e.hasAttribute(a)) throw new IllegalArgumentException("no " + a);
                out.add(new DiskSpec(e.getAttribute("device"), Long.parseLong(e.getAttribute("size")), e.getAttribute("sr"),
                        e.getAttribute("bootable").equals("true"), type(e.getAttribute("type"))));
            }
            return out;
        } catch (Exception e) {
            throw ApiError.internal("cannot parse other_config:disks: " + e.getMessage());
        }
    }

    private static VdiType type(String wire) {
        for (VdiType t : TYPES) if (t.wire().equals(wire)) return t;
        return VdiType.system;
    }

    /** The XML for {@code disks} in the form the template tools write (attribute order as theirs). */
    static String xml(List<DiskSpec> disks) {
        var sb = new StringBuilder("<provision>");
        for (DiskSpec d : disks) {
            sb.append("<disk size=\"").append(d.size()).append("\" sr=\"").append(d.sr()).append("\" bootable=\"")
              .append(d.bootable()).append("\" type=\"").append(d.type().wire()).append("\" device=\"").append(d.device()).append("\"/>");
        }
        return sb.append("</provision>").toString();
    }
}
