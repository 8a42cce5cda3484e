package org.flotilla.actions;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.host.HostEnablement;
import org.flotilla.host.HostPlugins;
import org.flotilla.host.HostPower;
import org.flotilla.host.ThisHost;
import org.flotilla.metrics.DataSources;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Data_source;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VM;
import org.flotilla.pool.Evacuation;
import org.flotilla.pool.Membership;
import org.flotilla.runtime.migration.MigrationReceipts;
import org.flotilla.storage.Storage;
import org.flotilla.storage.StreamElsewhere;

/**
 * host's messages: its plugins ({@link HostPlugins}), its metrics over time ({@link DataSources}), whether it takes
 * new VMs ({@link HostEnablement}) and moving its VMs elsewhere ({@link Evacuation}). What runs on the host itself
 * is refused for another host ({@link ThisHost}) until calls are forwarded.
 */
public final class HostActions implements Host.Actions {
    private final DataSources dataSources;
    private final HostEnablement enablement;
    private final Evacuation evacuation;
    private final ThisHost thisHost;
    private final HostPower power;
    private final MigrationReceipts receipts;
    /** For the coordinator's collector of chains, which has this host merge under the VMs running here (StreamElsewhere). */
    private final Storage storage;
    /** The pool's side of this host: its certificate, and the other members' it keeps. */
    private final Membership membership;

    public HostActions(DataSources dataSources, HostEnablement enablement, Evacuation evacuation, ThisHost thisHost, HostPower power,
                       MigrationReceipts receipts, Storage storage, Membership membership) {
        this.storage = storage;
        this.membership = membership;
        this.power = power;
        this.receipts = receipts;
        this.dataSources = dataSources;
        this.enablement = enablement;
        this.evacuation = evacuation;
        this.thisHost = thisHost;
    }

    @Override
    public String call_plugin(Ref<Host> host, String plugin, String fn, Map<String, String> args) {
        thisHost.require(host);
        if (plugin.equals(StreamElsewhere.PLUGIN)) return storage.coalescePlugin(fn, args);
        return HostPlugins.call(plugin, fn, args);
    }

    @Override
    public String get_server_certificate(Ref<Host> host) {
        thisHost.require(host);
        return membership.serverCertificate();
    }

    @Override
    public void certificate_sync(Ref<Host> host) {
        thisHost.require(host);
        membership.syncCertificates();
    }

    @Override public List<Rec<Data_source>> get_data_sources(Ref<Host> host) { return of(host).ofHost(); }

    @Override public void record_data_source(Ref<Host> host, String data_source) { of(host).recordOfHost(data_source); }

    @Override public double query_data_source(Ref<Host> host, String data_source) { return of(host).queryOfHost(data_source); }

    @Override public void forget_data_source_archives(Ref<Host> host, String data_source) { of(host).forgetOfHost(data_source); }

    /** Each host's own clock: XO compares every host's with its own, and asks it where its statistics start. */
    @Override
    public Instant get_servertime(Ref<Host> host) {
        thisHost.require(host);
        return Instant.now();
    }

    @Override
    public LocalDateTime get_server_localtime(Ref<Host> host) {
        thisHost.require(host);
        return LocalDateTime.now();
    }

    /** The host's metrics are kept on the host: this one's alone are here. */
    private DataSources of(Ref<Host> host) {
        thisHost.require(host);
        return dataSources;
    }

    /** host.disable and enable run on the host itself, which keeps whether to enable itself at its next start. */
    @Override
    public void disable(Ref<Host> host, boolean auto_enable) {
        thisHost.require(host);
        enablement.disable(host, auto_enable);
    }

    @Override
    public void enable(Ref<Host> host) {
        thisHost.require(host);
        enablement.enable(Call.current(), host);
    }

    /** Runs on the host that is to receive the VM, as XAPI forwards it there. */
    @Override
    public Map<String, String> migrate_receive(Ref<Host> host, Ref<Network> network, Map<String, String> options) {
        thisHost.require(host);
        return receipts.receive(host, network, Call.current().session());
    }

    @Override public void assert_can_evacuate(Ref<Host> host) { evacuation.assertCanEvacuate(host); }

    @Override public Map<Ref<VM>, List<String>> get_vms_which_prevent_evacuation(Ref<Host> self) { return evacuation.preventing(self); }

    @Override
    public void evacuate(Ref<Host> host, Ref<Network> network, long evacuate_batch_size) { evacuation.evacuate(Call.current(), host, network); }

    /** Shutdown, reboot and restart_agent run on the host itself (another host's are forwarded there). */
    @Override
    public void shutdown(Ref<Host> host) {
        thisHost.require(host);
        power.shutdown(Call.current(), host);
    }

    @Override
    public void reboot(Ref<Host> host) {
        thisHost.require(host);
        power.reboot(Call.current(), host);
    }

    @Override
    public void restart_agent(Ref<Host> host) {
        thisHost.require(host);
        power.restartAgent();
    }

    /** Runs where it is asked, as XAPI runs it on the coordinator: the host to power on is down. */
    @Override public void power_on(Ref<Host> host) { power.powerOn(host); }
}
