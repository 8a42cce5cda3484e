package org.flotilla.model;

import java.util.List;

/** A XenAPI error code and the names of its parameters, in order. */
public record ErrorDef(String code, List<String> params, String doc) {
    public ErrorDef { params = List.copyOf(params); }
}
