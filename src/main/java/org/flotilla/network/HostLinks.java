package org.flotilla.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;

/**
 * This host's network devices, changed only through iproute2's {@code ip}: Linux bridges and tap
 * devices. Every change names its device explicitly; nothing here touches an interface the caller did
 * not name. A failing command is an INTERNAL_ERROR carrying the command line and {@code ip}'s stderr.
 */
public class HostLinks {
    /** Linux's limit on interface names (IFNAMSIZ - 1). */
    public static final int MAX_NAME = 15;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String ip;
    private final Path sysClassNet;

    public HostLinks(String ipCommand, Path sysClassNet) {
        this.ip = ipCommand;
        this.sysClassNet = sysClassNet;
    }

    public static HostLinks system() { return new HostLinks("ip", Path.of("/sys/class/net")); }

    /** A usable interface name: 1–15 characters, letters, digits, '_', '.', '-', not starting with a symbol. */
    public static boolean validName(String name) { return name != null && NAME.matcher(name).matches(); }

    /** One interface as {@code ip -d link} reports it. {@code kind} is empty for a plain (physical) device. */
    public record Link(String name, String kind, String mac, int mtu, boolean up, boolean physical, String master) {}

    public boolean exists(String name) {
        return validName(name) && Files.exists(sysClassNet.resolve(name));
    }

    /** The bridge a device is enslaved to, or "" if none. */
    public String master(String name) {
        Path m = sysClassNet.resolve(name).resolve("master");
        try {
            return Files.isSymbolicLink(m) ? Files.readSymbolicLink(m).getFileName().toString() : "";
        } catch (IOException e) {
            return "";
        }
    }

    public boolean isBridge(String name) { return Files.isDirectory(sysClassNet.resolve(name).resolve("bridge")); }

    /** The devices enslaved to a bridge. */
    public List<String> ports(String bridge) {
        Path brif = sysClassNet.resolve(bridge).resolve("brif");
        if (!Files.isDirectory(brif)) return List.of();
        try (Stream<Path> s = Files.list(brif)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Makes the bridge if it does not exist, and brings it up with the MTU. */
    public void ensureBridge(String bridge, long mtu) {
        requireName(bridge);
        if (!exists(bridge)) {
            try {
                run(ip, "link", "add", "name", bridge, "type", "bridge");
            } catch (ApiError e) {
                if (!exists(bridge)) throw e; // made meanwhile by another caller: fine
            }
        } else if (!isBridge(bridge)) {
            throw ApiError.of("BRIDGE_NOT_AVAILABLE", bridge);
        }
        run(ip, "link", "set", "dev", bridge, "mtu", Long.toString(mtu), "up");
    }

    /**
     * Makes a persistent tap device (if it does not exist), root's alone — the daemon opens it for QEMU —
     * and enslaves it to the bridge, up, with the MTU. The host side gets XAPI's fe:ff:ff:ff:ff:ff so that
     * it never becomes the bridge's own address.
     */
    public void ensureTap(String tap, String bridge, long mtu) {
        requireName(tap);
        requireName(bridge);
        if (!exists(tap)) run(ip, "tuntap", "add", "dev", tap, "mode", "tap");
        run(ip, "link", "set", "dev", tap, "address", "fe:ff:ff:ff:ff:ff", "mtu", Long.toString(mtu), "master", bridge, "up");
    }

    /** Removes a device if it exists. */
    public void delete(String name) {
        requireName(name);
        if (!exists(name)) return;
        try {
            run(ip, "link", "del", "dev", name);
        } catch (ApiError e) {
            if (exists(name)) throw e;
        }
    }

    /** Every interface of this host (this network namespace), as {@code ip -d -j link show} lists them. */
    public List<Link> list() {
        String out = run(ip, "-d", "-j", "link", "show");
        var links = new ArrayList<Link>();
        try {
            for (JsonNode l : JSON.readTree(out)) {
                String name = l.path("ifname").asText();
                String kind = l.path("linkinfo").path("info_kind").asText("");
                boolean up = false;
                for (JsonNode f : l.path("flags")) if (f.asText().equals("UP")) up = true;
                boolean physical = kind.isEmpty() && !"loopback".equals(l.path("link_type").asText())
                        && Files.exists(sysClassNet.resolve(name).resolve("device"));
                links.add(new Link(name, kind, l.path("address").asText(""), l.path("mtu").asInt(1500), up, physical,
                        l.path("master").asText("")));
            }
        } catch (IOException e) {
            throw ApiError.internal("cannot parse the output of ip -d -j link show: " + e.getMessage());
        }
        return links;
    }

    /** A sysfs attribute of an interface, trimmed, or "" if unreadable (e.g. speed of a device without carrier). */
    public String attribute(String name, String attr) {
        try {
            return Files.readString(sysClassNet.resolve(name).resolve(attr)).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void requireName(String name) {
        if (!validName(name)) throw ApiError.of("INVALID_VALUE", "device name", String.valueOf(name));
    }

    /** Runs a command, returning its stdout; INTERNAL_ERROR with its stderr if it fails. */
    protected String run(String... cmd) {
        Process p;
        try {
            p = HostCommand.of(List.of(cmd)).start();
        } catch (IOException e) {
            throw ApiError.internal(String.join(" ", cmd) + ": " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw ApiError.internal(String.join(" ", cmd) + ": timed out");
            }
            String stderr = new String(err.join(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw ApiError.internal(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + stderr);
            }
            return out;
        } catch (IOException e) {
            throw ApiError.internal(String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw ApiError.internal(String.join(" ", cmd) + ": interrupted");
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
