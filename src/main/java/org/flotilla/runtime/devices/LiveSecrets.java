package org.flotilla.runtime.devices;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.storage.QemuSecrets;

/**
 * Gives a running QEMU the secrets that block nodes about to be added name (an iSCSI SR's CHAP password), through its
 * monitor, which is the daemon's alone: each once, as an object of its own that stays for the nodes that come later.
 */
final class LiveSecrets {
    private LiveSecrets() {}

    static void defineFor(Qmp qmp, List<? extends Map<String, ?>> nodes) throws QmpException {
        var named = new StringBuilder();
        for (Map<String, ?> node : nodes) named.append(QemuCommand.json(node)).append('\n');
        List<String> ids = QemuSecrets.namedIn(named.toString());
        if (ids.isEmpty()) return;
        var present = new HashSet<String>();
        for (var o : qmp.execute("qom-list", Map.of("path", "/objects"))) present.add(o.path("name").asText());
        for (String id : ids) {
            if (!present.contains(id)) qmp.execute("object-add", Map.of("qom-type", "secret", "id", id, "data", QemuSecrets.value(id)));
        }
    }
}
