package org.flotilla.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name the wire uses where Java cannot: an enum value ("active-backup"), a parameter named by a Java keyword
 * ("class"), an enumeration's XenAPI name on its Java enum.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE})
public @interface Wire {
    String value();
}
