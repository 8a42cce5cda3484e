/**
 * This host's networking behind the XenAPI (XAPI's xapi_network.ml, xapi_vif.ml, xapi_pif.ml and the bridge half
 * of networkd). A network is a bridge; VIFs and PIFs are its ports.
 *
 * <ul>
 *   <li>{@code network}: network records ({@link org.flotilla.network.Networks}), what ties VIFs and PIFs together;
 *   <li>{@code network.bridge}: a network's bridge on this host, and {@link org.flotilla.network.bridge.HostLinks},
 *       the backend that makes bridges and ports;
 *   <li>{@code network.linux}: that backend with Linux bridges and tap devices (an Open vSwitch backend would sit
 *       beside it);
 *   <li>{@code network.vif}: VIF records, and the tap device of each attached VIF, which the VM runtime opens for
 *       QEMU;
 *   <li>{@code network.pif}: the host's interfaces as PIFs, and the networks every host has (VLANs, bonds and
 *       tunnels, built on PIFs, would go beside it).
 * </ul>
 *
 * <p>Dependencies point one way: pif → network → vif → bridge ← linux.
 */
package org.flotilla.network;
