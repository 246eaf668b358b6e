/**
 * Where a harvest reads files from: a directory on this host, or an SFTP server whose host key
 * is pinned. Every call here blocks; callers run them on a thread meant for blocking work.
 */
@NullMarked
package org.sciport.harvest.sources;

import org.jspecify.annotations.NullMarked;
