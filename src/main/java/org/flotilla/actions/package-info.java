/**
 * The code behind every declared message, one class per XenAPI class ({@code VmActions implements VM.Actions}):
 * from a message's name, its code is one step away. Each takes the arguments typed as declared and hands the work
 * to the subsystem that does it; the daemon gives them all to {@link org.flotilla.api.Implementations}.
 */
package org.flotilla.actions;
