package org.flotilla.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.os.IscsiSession;
import org.flotilla.os.OsException;
import org.flotilla.storage.MinidomXml.Element;

/**
 * SR.probe for type lvmoiscsi, answering in the three steps Xen Orchestra's iSCSI flow takes, as SM's LVHDoISCSISR does:
 * with a target alone, SR_BACKEND_FAILURE_96 whose third parameter is the XML list of the IQNs its SendTargets names
 * ({@code <iscsi-target-iqns>}); with a targetIQN but no SCSIid, SR_BACKEND_FAILURE_107 with the XML list of the target's
 * disk LUNs ({@code <iscsi-target>}); with a SCSIid, the SR found on that LUN as {@code <SRlist>}.
 */
final class IscsiProbe {
    private IscsiProbe() {}

    static String probe(Map<String, String> deviceConfig) {
        String address = IscsiSr.address(deviceConfig);
        int port = IscsiSr.port(deviceConfig);
        IscsiSession.Chap chap = IscsiSr.chap(deviceConfig);
        String iqn = deviceConfig.get(IscsiSr.TARGET_IQN);
        if (iqn == null || iqn.isEmpty()) throw IscsiFailure.CONFIG_TARGET_IQN_MISSING.error(null, targets(address, port, chap));
        var someLun = new IscsiLun(address, port, iqn, "", chap, "");
        List<IscsiSession.Lun> luns;
        try (IscsiSession s = someLun.session()) {
            luns = s.luns();
        } catch (OsException e) {
            throw IscsiFailure.ISCSI_LOGIN.error(e.getMessage());
        }
        String scsiId = deviceConfig.get(IscsiSr.SCSI_ID);
        if (scsiId == null || scsiId.isEmpty() || luns.stream().noneMatch(l -> l.scsiId().equals(scsiId))) {
            throw IscsiFailure.CONFIG_SCSI_ID.error(null, lunList(luns));
        }
        var lun = new IscsiLun(address, port, iqn, scsiId, chap, "");
        List<Element> srs;
        try {
            // as lvutil.srlist_toxml: the SR's uuid, its device and the size its VDIs can take
            srs = lun.onLun((s, l) -> LunMetadata.read(s, l).map(m -> Element.of("SR", List.of(Element.text("UUID", m.srUuid()),
                    Element.text("Devlist", lun.where()), Element.text("size", Long.toString(LunMetadata.capacity(l.size())))))).stream().toList());
        } catch (IOException e) {
            throw IscsiFailure.SR_UNAVAILABLE.error(e.getMessage());
        }
        return MinidomXml.document(Element.of("SRlist", srs));
    }

    /** As BaseISCSI.print_entries: each portal of each target, its address, its port unless 3260, and the IQN. */
    private static String targets(String address, int port, IscsiSession.Chap chap) {
        List<IscsiSession.Target> targets;
        String portal = new IscsiLun(address, port, "", "", chap, "").portal();
        try {
            targets = IscsiSession.discover(portal, IscsiLun.INITIATOR, chap);
        } catch (OsException e) {
            if (e.errno() == IscsiSession.LOGIN_REFUSED) throw IscsiFailure.ISCSI_LOGIN.error(e.getMessage());
            throw IscsiFailure.ISCSI_TARGET.error(e.getMessage());
        }
        var entries = new ArrayList<Element>();
        for (IscsiSession.Target t : targets) {
            for (String p : t.portals()) {
                String hostPort = p.contains(",") ? p.substring(0, p.lastIndexOf(',')) : p;
                int colon = hostPort.lastIndexOf(':');
                String ip = colon < 0 ? hostPort : hostPort.substring(0, colon);
                String tcp = colon < 0 ? Integer.toString(IscsiSr.DEFAULT_PORT) : hostPort.substring(colon + 1);
                var fields = new ArrayList<Element>();
                fields.add(Element.text("Index", Integer.toString(entries.size())));
                fields.add(Element.text("IPAddress", ip));
                if (!tcp.equals(Integer.toString(IscsiSr.DEFAULT_PORT))) fields.add(Element.text("Port", tcp));
                fields.add(Element.text("TargetIQN", t.iqn()));
                entries.add(Element.of("TGT", fields));
            }
        }
        return MinidomXml.document(Element.of("iscsi-target-iqns", entries));
    }

    /** As LVHDoISCSISR.print_LUNs_XML: vendor, serial, LUNid, size (bytes) and SCSIid of each, an empty value left out. */
    private static String lunList(List<IscsiSession.Lun> luns) {
        var entries = new ArrayList<Element>();
        for (IscsiSession.Lun l : luns) {
            var fields = new ArrayList<Element>();
            if (!l.vendor().isEmpty()) fields.add(Element.text("vendor", l.vendor()));
            if (!l.serial().isEmpty()) fields.add(Element.text("serial", l.serial()));
            fields.add(Element.text("LUNid", Integer.toString(l.id())));
            if (l.size() > 0) fields.add(Element.text("size", Long.toString(l.size())));
            fields.add(Element.text("SCSIid", l.scsiId()));
            entries.add(Element.of("LUN", fields));
        }
        return MinidomXml.document(Element.of("iscsi-target", entries));
    }
}
