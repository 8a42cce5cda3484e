package org.flotilla.model.xenapi;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;

/** Messages about external authentication (AD); Flotilla authenticates root alone and serves none. */
public interface Auth {
    ApiClass<Auth> CLASS = ApiClass.declare(Auth.class, "auth", Shape.NOT_STORED)
            .doc("Messages about external authentication (AD); Flotilla authenticates root alone and serves none.");

}
