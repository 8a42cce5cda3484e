/**
 * The on-disk pieces of {@link org.flotilla.db.FileJournal}: framed records, journal and snapshot
 * files, the state directory's naming and its lock.
 */
package org.flotilla.db.file;
