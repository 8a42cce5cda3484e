package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration telemetry_frequency. */
@Wire("telemetry_frequency")
public enum TelemetryFrequency implements WireEnum {
    daily,
    weekly,
    monthly
}
