package org.flotilla.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a declared message is called, beside its signature: the weakest role that may call it, whether it has an
 * Async form, whether it is called without a session, and the errors it is known to fail with.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Api {
    Access role() default Access.POOL_ADMIN;

    boolean async() default false;

    boolean sessionless() default false;

    String[] errors() default {};
}
