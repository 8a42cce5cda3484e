package org.flotilla.network.linux;

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
import java.util.stream.Stream;
import org.flotilla.model.ApiError;
import org.flotilla.network.bridge.HostLinks;
import org.flotilla.os.HostCommand;

/**
 * The Linux bridge backend: bridges and tap devices made and removed only through iproute2's {@code ip}, the
 * host's interfaces read from {@code ip -d -j link show} and sysfs. A failing command is an INTERNAL_ERROR
 * carrying the command line and {@code ip}'s stderr.
 */
public class LinuxBridges implements HostLinks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String ip;
    private final Path sysClassNet;

    public LinuxBridges(String ipCommand, Path sysClassNet) {
        this.ip = ipCommand;
        this.sysClassNet = sysClassNet;
    }

    public static LinuxBridges system() { return new LinuxBridges("ip", Path.of("/sys/class/net")); }

    @Override
    public boolean exists(String name) {
        return HostLinks.validName(name) && Files.exists(sysClassNet.resolve(name));
    }

    @Override
    public boolean isBridge(String name) { return Files.isDirectory(sysClassNet.resolve(name).resolve("bridge")); }

    @Override
    public List<String> ports(String bridge) {
        Path brif = sysClassNet.resolve(bridge).resolve("brif");
        if (!Files.isDirectory(brif)) return List.of();
        try (Stream<Path> s = Files.list(brif)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
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

    @Override
    public void ensureTap(String tap, String bridge, long mtu) {
        requireName(tap);
        requireName(bridge);
        if (!exists(tap)) run(ip, "tuntap", "add", "dev", tap, "mode", "tap");
        // the host side gets XAPI's fe:ff:ff:ff:ff:ff, so that it never becomes the bridge's own address
        run(ip, "link", "set", "dev", tap, "address", "fe:ff:ff:ff:ff:ff", "mtu", Long.toString(mtu), "master", bridge, "up");
    }

    @Override
    public void cutOff(String tap) {
        requireName(tap);
        if (exists(tap)) run(ip, "link", "set", "dev", tap, "nomaster", "down");
    }

    @Override
    public void delete(String name) {
        requireName(name);
        if (!exists(name)) return;
        try {
            run(ip, "link", "del", "dev", name);
        } catch (ApiError e) {
            if (exists(name)) throw e;
        }
    }

    @Override
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

    @Override
    public String attribute(String name, String attr) {
        try {
            return Files.readString(sysClassNet.resolve(name).resolve(attr)).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void requireName(String name) {
        if (!HostLinks.validName(name)) throw ApiError.of("INVALID_VALUE", "device name", String.valueOf(name));
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
