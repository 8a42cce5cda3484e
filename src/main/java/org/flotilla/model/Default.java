package org.flotilla.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value an optional trailing parameter takes when a client leaves it out, written as the wire would carry
 * it: {@code ""}, {@code "false"}, {@code "0"}, {@code "{}"} (an empty map), {@code "[]"} (an empty set),
 * {@code "OpaqueRef:NULL"}, or any other string of the parameter's type.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Default {
    String value();
}
