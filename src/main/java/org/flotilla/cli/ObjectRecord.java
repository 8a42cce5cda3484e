package org.flotilla.cli;

import java.util.Map;

/** One object as fetched: its class, reference and field values by datamodel name. */
record ObjectRecord(CliClass cls, String ref, Map<String, Object> record) {}
