package org.flotilla;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that boots QEMU, starts a daemon (a process, or the whole daemon over HTTPS) or runs a real
 * client: what {@code mvn test -P fast} leaves out. A class without it is fast, and runs in both.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {}
