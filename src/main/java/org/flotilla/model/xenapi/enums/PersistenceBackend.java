package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration persistence_backend. */
@Wire("persistence_backend")
public enum PersistenceBackend implements WireEnum {
    xapi
}
