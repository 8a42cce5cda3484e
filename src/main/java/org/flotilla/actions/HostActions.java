package org.flotilla.actions;

import java.util.List;
import java.util.Map;
import org.flotilla.host.HostPlugins;
import org.flotilla.metrics.DataSources;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Data_source;
import org.flotilla.model.xenapi.Host;

/** host's messages: its plugins ({@link HostPlugins}) and its metrics over time ({@link DataSources}); the host is this one. */
public final class HostActions implements Host.Actions {
    private final DataSources dataSources;

    public HostActions(DataSources dataSources) { this.dataSources = dataSources; }

    @Override
    public String call_plugin(Ref<Host> host, String plugin, String fn, Map<String, String> args) { return HostPlugins.call(plugin, fn, args); }

    @Override public List<Rec<Data_source>> get_data_sources(Ref<Host> host) { return dataSources.ofHost(); }

    @Override public void record_data_source(Ref<Host> host, String data_source) { dataSources.recordOfHost(data_source); }

    @Override public double query_data_source(Ref<Host> host, String data_source) { return dataSources.queryOfHost(data_source); }

    @Override public void forget_data_source_archives(Ref<Host> host, String data_source) { dataSources.forgetOfHost(data_source); }
}
