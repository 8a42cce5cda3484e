package org.flotilla.model.xenapi;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;

/** The XenAPI's class auth. */
public interface Auth {
    ApiClass<Auth> CLASS = ApiClass.declare(Auth.class, "auth", Shape.NOT_STORED);

}
